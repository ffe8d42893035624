// verify, in passes (verify.hpp has the picture): Check::go() below calls them in order.
//
//   1. read_view        the view's files, the catalog's hashes of their inputs
//   2. read_manifest    OUTDIR's manifest of what materialize made (read, never written)
//   3. stat_inputs      every input lstat'ed: gone, changed since the index, or as indexed
//   4. check_tree       every file that is not a duplicate, at its path in OUTDIR, in parallel:
//                       the input's inode, or its bytes; a duplicate only stat'ed
//   5. answer           the two questions, with the files that hold each up
#include "index/materialize/verify.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/hash.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/manifest.hpp"
#include "index/materialize/materialize.hpp"
#include "index/view/view.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>

namespace ipd {

namespace {

using materialize_detail::Manifest;
using materialize_detail::open_parent;
using materialize_detail::read_at;

// What OUTDIR holds at a view file's path.
enum class Held : std::uint8_t {
  unchecked,  // a duplicate's content is not looked at
  link,       // the input's inode
  bytes,      // a copy or a reflink with the input's bytes
  by_record,  // the input is gone; what materialize made there, untouched since (its manifest says)
  missing,    // nothing
  not_data,   // a symlink, a folder, a special file: no data of the input
  differs,    // a file with other bytes
  unreadable, // could not be checked
};

bool is_held(Held h) { return h == Held::link || h == Held::bytes || h == Held::by_record; }

struct Entry {
  std::string path;   // view path
  std::string source; // input path
  std::string keeper; // for duplicates: the input path of the keeper
  Role role = Role::other;
  std::uint64_t size = 0;    // as indexed
  std::int64_t mtime_ns = 0; // as indexed
  std::uint64_t hash = 0;    // the catalog's hash of the input; 0: none
  int src_err = 0;           // the input's lstat: errno; ENODATA: not a regular file
  std::uint64_t dev = 0, ino = 0;
  bool changed = false; // since the last index
  Held held = Held::unchecked;
  std::string what; // why it is not held
};

// content_hash() of all of an open file's bytes, or 0 when it cannot be mapped.
std::uint64_t hash_fd(int fd, std::uint64_t size) {
  MappedFile mapped;
  std::string error;
  return mapped.map(fd, size, error) ? content_hash(mapped.bytes()) : 0;
}

// A folder of OUTDIR opened O_PATH through no symlink, kept while a run of files stays in it.
class Parent {
public:
  ~Parent() { reset(); }
  // The folder holding `path` (relative to `out`), -1 when it cannot be opened; `leaf` is set.
  int of(int out, std::string_view path, std::string& leaf) {
    const std::string_view dir = parent_of(path);
    leaf = std::string(leaf_of(path));
    if (m_fd >= 0 && dir == m_dir) {
      return m_fd;
    }
    reset();
    std::string ignored;
    m_fd = open_parent(out, path, ignored);
    m_dir = std::string(dir);
    return m_fd;
  }

private:
  void reset() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = -1;
  }
  int m_fd = -1;
  std::string m_dir;
};

class Check {
public:
  Check(const Catalog& catalog, const std::filesystem::path& outdir, const VerifyOptions& options)
      : m_catalog(catalog), m_outdir(outdir), m_options(options) {}
  ~Check() {
    if (m_out >= 0) {
      ::close(m_out);
    }
  }
  Check(const Check&) = delete;
  Check& operator=(const Check&) = delete;

  VerifyReport go() {
    const auto began = std::chrono::steady_clock::now();
    read_view();
    read_manifest();
    stat_inputs();
    check_tree();
    answer();
    m_report.compared = m_compared;
    m_report.bytes_read = m_bytes_read;
    m_report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return std::move(m_report);
  }

private:
  void read_view();
  void read_manifest();
  void stat_inputs();
  void check_tree();
  void check_one(Entry& e, Parent& parent);
  Held check_content(Entry& e, int dirfd, const char* leaf, const struct stat& st);
  void answer();
  void answer_inputs();
  void answer_duplicates();

  const Catalog& m_catalog;
  std::filesystem::path m_outdir;
  const VerifyOptions& m_options;
  VerifyReport m_report;
  std::vector<Entry> m_entries;                            // in view-path order
  std::unordered_map<std::string, std::uint64_t> m_hashes; // every input the catalog knows -> its hash
  Manifest m_manifest;
  int m_out = -1;
  std::atomic<std::uint64_t> m_compared{0};
  std::atomic<std::uint64_t> m_bytes_read{0};
};

// Pass 1: the view's files (README.txt, which has no input, aside) and the catalog's hashes.
void Check::read_view() {
  require_complete_view(m_catalog);
  m_catalog.for_each_file([&](FileRecord&& r) { m_hashes.emplace(std::move(r.path), r.content_hash); });
  ViewEntry v;
  m_catalog.scan(Catalog::Table::view, "", [&](std::string_view key, std::string_view value) {
    if (!decode(value, v) || v.source.empty()) {
      return true;
    }
    Entry e;
    e.path = std::string(key);
    e.source = v.source;
    e.keeper = v.keeper;
    e.role = v.role;
    e.size = v.size;
    e.mtime_ns = v.mtime_ns;
    if (const auto it = m_hashes.find(v.source); it != m_hashes.end()) {
      e.hash = it->second;
    }
    m_entries.push_back(std::move(e));
    return true;
  });
}

// Pass 2: the manifest materialize keeps in OUTDIR, read only.
void Check::read_manifest() {
  m_out = ::open(m_outdir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (m_out < 0) {
    throw Fatal(m_outdir.string() + ": " + errno_text(errno) + " (name the folder materialize wrote)");
  }
  const std::string name(k_manifest_name);
  const auto bytes = read_at(m_out, name.c_str());
  if (!bytes) {
    throw Fatal(m_outdir.string() + " has no " + name + ": it is not a tree that `materialize` made");
  }
  if (!materialize_detail::decode_manifest(*bytes, m_manifest)) {
    throw Fatal(m_outdir.string() + "/" + name +
                " is not a record this version of iphone-photo-dedup can read");
  }
  struct stat st {};
  if (::fstatat(m_out, materialize_detail::journal_name().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    m_report.notes.push_back(
        {materialize_detail::journal_name(),
         "a run of materialize was cut short: run materialize again to complete the tree"});
  }
}

// Pass 3: every input as it is now.
void Check::stat_inputs() {
  tbb::parallel_for(std::size_t(0), m_entries.size(), [&](std::size_t i) {
    Entry& e = m_entries[i];
    struct stat st {};
    if (at_any_depth(e.source, [&](int dirfd, const char* name) {
          return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
        }) != 0) {
      e.src_err = errno;
    } else if (!S_ISREG(st.st_mode)) {
      e.src_err = ENODATA;
    } else {
      e.dev = st.st_dev;
      e.ino = st.st_ino;
      e.changed = std::uint64_t(st.st_size) != e.size || timespec_ns(st.st_mtim) != e.mtime_ns;
    }
  });
}

// Pass 4: what OUTDIR holds at each path, in parallel over runs of neighbouring paths.
void Check::check_tree() {
  std::atomic<std::uint64_t> done{0};
  std::mutex reporting; // one progress call at a time; a busy reporter is skipped, not waited for
  const auto report = [&](std::uint64_t files) {
    const std::uint64_t now = done += files;
    if (m_options.progress && reporting.try_lock()) {
      m_options.progress(now, m_entries.size());
      reporting.unlock();
    }
  };
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, m_entries.size(), 64),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      Parent parent;
                      for (std::size_t i = range.begin(); i != range.end(); ++i) {
                        check_one(m_entries[i], parent);
                      }
                      report(range.size());
                    });
}

void Check::check_one(Entry& e, Parent& parent) {
  std::string leaf;
  const int dirfd = parent.of(m_out, e.path, leaf);
  struct stat st {};
  if (dirfd < 0 || ::fstatat(dirfd, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    const int err = errno;
    e.held = err == ENOENT || err == ENOTDIR ? Held::missing : Held::unreadable;
    e.what = e.held == Held::missing ? "not in OUTDIR" : "cannot stat it in OUTDIR: " + errno_text(err);
    return;
  }
  if (e.role == Role::duplicate) {
    return; // its bytes matter to neither question
  }
  if (!S_ISREG(st.st_mode)) {
    e.held = Held::not_data;
    e.what = S_ISLNK(st.st_mode) ? "a symbolic link to its input: it holds none of its data"
                                 : materialize_detail::describe(dirfd, leaf.c_str(), st) + ", not its data";
    return;
  }
  if (e.src_err == 0 && st.st_dev == e.dev && st.st_ino == e.ino) {
    e.held = Held::link;
    return;
  }
  e.held = check_content(e, dirfd, leaf.c_str(), st);
}

// A regular file in OUTDIR that is not the input's inode: its bytes against the input's hash
// (the catalog's, else the input's own); where the input is gone and the catalog has no hash,
// the manifest's record of what was made there.
Held Check::check_content(Entry& e, int dirfd, const char* leaf, const struct stat& st) {
  if (std::uint64_t(st.st_size) != e.size) {
    e.what = "holds " + std::to_string(st.st_size) + " bytes, its input " + std::to_string(e.size);
    return Held::differs;
  }
  std::uint64_t expected = e.hash;
  if (expected == 0 && e.src_err == 0) {
    std::string error;
    const int in = open_input(e.source.c_str(), error);
    FdGuard guard(in);
    expected = in >= 0 ? hash_fd(in, e.size) : 0;
    m_bytes_read += e.size;
  }
  if (expected == 0) {
    const auto it = m_manifest.find(e.path);
    if (e.src_err != 0 && it != m_manifest.end() && it->second.source == e.source &&
        materialize_detail::matches(it->second, st, dirfd, leaf)) {
      return Held::by_record;
    }
    e.what = e.src_err != 0 ? "its input is gone and nothing records its bytes: cannot tell what it holds"
                            : "cannot read its input to compare";
    return Held::unreadable;
  }
  std::string error;
  const int fd = open_input_at(dirfd, leaf, error);
  FdGuard guard(fd);
  const std::uint64_t got = fd >= 0 ? hash_fd(fd, e.size) : 0;
  m_compared += 1;
  m_bytes_read += e.size;
  if (got == 0) {
    e.what = "cannot read it in OUTDIR" + (error.empty() ? std::string() : ": " + error);
    return Held::unreadable;
  }
  if (got != expected) {
    e.what = "holds other bytes than its input";
    return Held::differs;
  }
  return Held::bytes;
}

// Pass 5: the two answers.
void Check::answer() {
  answer_inputs();
  answer_duplicates();
}

// 1. Every file that is not a duplicate held in OUTDIR, and no input new or changed.
void Check::answer_inputs() {
  std::uint64_t gone_held = 0;
  for (const Entry& e : m_entries) {
    if (e.changed) {
      m_report.input_blockers.push_back(
          {e.path, "its input " + display_path(e.source) +
                       " changed since the last index: re-index, materialize and verify again"});
    }
    if (e.role == Role::duplicate) {
      continue;
    }
    ++m_report.originals;
    if (is_held(e.held)) {
      ++m_report.originals_held;
      gone_held += e.src_err != 0 ? 1 : 0;
    } else {
      m_report.input_blockers.push_back({e.path, e.what});
    }
  }
  if (gone_held > 0) {
    m_report.notes.push_back({"", std::to_string(gone_held) + (gone_held == 1 ? " file" : " files") +
                                      " whose input is gone: OUTDIR holds the last copy"});
  }
  std::unordered_set<std::string_view> served;
  for (const Entry& e : m_entries) {
    served.insert(e.source);
  }
  std::uint64_t outside = 0;
  for (const auto& [path, hash] : m_hashes) {
    outside += served.count(path) ? 0 : 1;
  }
  if (outside > 0) {
    m_report.notes.push_back(
        {"", std::to_string(outside) +
                 " inputs are not in the view (symbolic links, special files: README.txt "
                 "lists them): they hold no photo, and go with the input folders"});
  }
  m_report.input_blockers.insert(m_report.input_blockers.end(), m_options.unread.begin(),
                                 m_options.unread.end());
  for (const auto& path : m_options.inputs_now) {
    if (!m_hashes.count(path)) {
      m_report.input_blockers.push_back(
          {path, "new since the last index, so not in the view: re-index, materialize and verify again"});
    }
  }
}

// 2. Every duplicate's keeper held in OUTDIR outside duplicates/.
void Check::answer_duplicates() {
  std::unordered_map<std::string_view, const Entry*> by_source;
  for (const Entry& e : m_entries) {
    if (e.role != Role::duplicate) {
      by_source.emplace(e.source, &e);
    }
  }
  std::uint64_t absent = 0;
  for (const Entry& e : m_entries) {
    if (e.role != Role::duplicate) {
      continue;
    }
    ++m_report.duplicates;
    absent += e.held == Held::missing ? 1 : 0;
    const auto it = by_source.find(e.keeper);
    if (it == by_source.end()) {
      m_report.duplicate_blockers.push_back(
          {e.path, "its keeper " + display_path(e.keeper) + " is not in the view"});
    } else if (!is_held(it->second->held)) {
      m_report.duplicate_blockers.push_back({e.path, "its keeper " + display_path(it->second->path) +
                                                         " is not held in OUTDIR: " + it->second->what});
    } else {
      ++m_report.duplicates_covered;
    }
  }
  if (absent > 0) {
    m_report.notes.push_back({"duplicates/", std::to_string(absent) + " of " +
                                                 std::to_string(m_report.duplicates) +
                                                 " duplicates are not in OUTDIR (deleted already?): what "
                                                 "counts is that their keepers are"});
  }
}

} // namespace

VerifyReport verify(const Catalog& catalog, const std::filesystem::path& outdir,
                    const VerifyOptions& options) {
  Check check(catalog, outdir, options);
  return check.go();
}

} // namespace ipd
