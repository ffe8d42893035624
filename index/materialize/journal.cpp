// The manifest and its journal in OUTDIR, for one run: read at the start (adopting what a
// killed run journalled and made), the journal written ahead of the tree, the manifest replaced
// atomically at the end and the journal dropped.
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/run.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace ipd::materialize_detail {

namespace {

constexpr std::size_t k_write_chunk = std::size_t(1) << 18; // bytes of manifest per write()

// Writes `bytes` out and empties it once it holds `at_least` bytes (0: always). False on error.
bool flush_some(int fd, std::string& bytes, std::size_t at_least) {
  if (bytes.size() < at_least || (bytes.empty() && at_least == 0)) {
    return true;
  }
  const bool ok = write_all(fd, bytes);
  bytes.clear(); // keeps its capacity: the next chunk touches no new memory
  return ok;
}

} // namespace

// Pass 3: the manifest, and the journal of a run that did not finish.
void Run::read_manifest() {
  const std::string manifest_name(k_manifest_name);
  m_manifest_read = read_at(m_out, manifest_name.c_str());
  if (const auto& bytes = m_manifest_read; bytes && !bytes->empty()) {
    if (!decode_manifest(*bytes, m_manifest)) {
      throw Fatal(m_outdir.string() + "/" + manifest_name +
                  " is not a record this version of iphone-photo-dedup can read; move it away");
    }
  }
  Manifest journal;
  if (auto bytes = read_at(m_out, journal_name().c_str())) {
    decode_manifest(*bytes, journal);
  }
  adopt_journal(journal);
}

// A journalled path is ours when it holds exactly what was about to be made there.
void Run::adopt_journal(const Manifest& journal) {
  for (const auto& [path, m] : journal) {
    std::string leaf;
    const int parent = open_parent(m_out, path, leaf);
    if (parent < 0) {
      continue;
    }
    FdGuard guard(parent);
    struct stat st {};
    if (::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    const auto it = m_manifest.find(path);
    if (it != m_manifest.end() && matches(it->second, st, parent, leaf.c_str())) {
      continue;
    }
    if (matches(m, st, parent, leaf.c_str())) {
      Made adopted = made_from(st, m.kind, m.source);
      m_manifest[path] = std::move(adopted);
    }
  }
}

// True when the manifest already says this run's item was made as it would be now: then a
// killed run needs no journal entry to know the path is ours.
bool Run::recorded_as_intended(const Item& item) const {
  const auto it = m_manifest.find(item.path);
  return it != m_manifest.end() && it->second.kind == intended(item).kind && it->second.source == item.source;
}

// Writes ahead, in one append, everything this run may make that the manifest does not hold
// already: a run killed part-way leaves it behind for the next run (read_manifest). A run with
// nothing new to make writes none.
void Run::journal_all() {
  const auto fail = [&](int err) {
    throw Fatal("cannot write " + m_outdir.string() + "/" + journal_name() + ": " + errno_text(err));
  };
  if (std::none_of(m_items.begin(), m_items.end(),
                   [&](const Item& item) { return input_ok(item) && !recorded_as_intended(item); })) {
    return;
  }
  m_journalled = true;
  std::string bytes;
  const int fd =
      ::openat(m_out, journal_name().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  FdGuard guard(fd);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    fail(errno);
  }
  if (st.st_size == 0) {
    bytes = manifest_header();
  }
  for (const Item& item : m_items) {
    if (input_ok(item) && !recorded_as_intended(item)) {
      put_entry(bytes, item.path, intended(item), item.source);
    }
    if (!flush_some(fd, bytes, k_write_chunk)) {
      fail(errno);
    }
  }
  if (!flush_some(fd, bytes, 0)) {
    fail(errno);
  }
}

// The manifest, replaced atomically; then the journal is dropped. A run that changed nothing
// leaves the manifest as it was (the same file, not an equal copy).
void Run::write_manifest() {
  const std::string bytes = manifest_bytes();
  if (m_manifest_read == bytes && !m_journalled) {
    return;
  }
  const std::string temp = manifest_temp_name();
  const std::string where = m_outdir.string() + "/" + std::string(k_manifest_name);
  ::unlinkat(m_out, temp.c_str(), 0); // ours, left by a killed run
  const int fd = ::openat(m_out, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Fatal("cannot write " + where + ": " + errno_text(errno));
  }
  {
    FdGuard guard(fd);
    if (!write_all(fd, bytes)) {
      const int err = errno;
      ::unlinkat(m_out, temp.c_str(), 0);
      throw Fatal("cannot write " + where + ": " + errno_text(err));
    }
  }
  if (::renameat(m_out, temp.c_str(), m_out, std::string(k_manifest_name).c_str()) != 0) {
    throw Fatal("cannot write " + where + ": " + errno_text(errno));
  }
  ::unlinkat(m_out, journal_name().c_str(), 0);
}

// The whole manifest: the earlier entries that stay, then what this run made.
std::string Run::manifest_bytes() const {
  std::string bytes = manifest_header();
  for (const auto& [path, m] : m_manifest) {
    put_entry(bytes, path, m, m.source);
  }
  for (std::size_t i = 0; i < m_items.size(); ++i) {
    if (const Mark& mark = m_marks[i]; mark.made) {
      put_entry(bytes, m_items[i].path, Made{mark.kind, {}, mark.dev, mark.ino, mark.size, mark.mtime_ns},
                m_items[i].source);
    }
  }
  return bytes;
}

} // namespace ipd::materialize_detail
