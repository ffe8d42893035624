// materialize, in passes:
//
//   1. read the view (key order: each folder's files are contiguous) and check every path
//   2. lstat every input (in parallel, overlapped with 1): the filesystem check for hard links
//      before anything is written, and the facts the later passes need
//   3. open OUTDIR (lock it), read the record and the journal of an interrupted run
//   4. remove the files it made earlier that left the view (only when their data survives)
//   5. write ahead into the journal all it may make; make the tree, one task per folder of the
//      view, in parallel: per folder one mkdirat + one open, per file one linkat (or a clone, a
//      copy, a symlink) — EEXIST sends the path to the slow check: right file, earlier file of
//      ours, or a conflict
//   6. remove the folders it made that are now empty; write the record; drop the journal
//
//        view (RocksDB) ──► items ──► lstat ──► [fs check] ──► journal ──► links ──► record
//                                                 nothing written before this point
//
// Nothing inside OUTDIR is ever followed through a symlink: folders are opened with O_NOFOLLOW
// one component at a time and every call is *at() relative to them. Files appear whole or not
// at all (linkat, symlinkat, O_TMPFILE then linkat) and never replace anything (EEXIST).
#include "index/materialize/materialize.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <iterator>
#include <linux/fs.h>
#include <map>
#include <mutex>
#include <set>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_group.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace ipd {

namespace {

constexpr std::string_view k_record_magic = "ipd-materialized\n";
constexpr std::uint8_t k_record_version = 1;
constexpr std::size_t k_stat_chunk = 512;                   // items per lstat task
constexpr std::size_t k_write_chunk = std::size_t(1) << 18; // bytes of record per write()

std::string journal_name() { return std::string(k_materialized_record) + ".journal"; }
std::string record_temp_name() { return std::string(k_materialized_record) + ".tmp"; }

// ---- the record -------------------------------------------------------------------------------

// What a path of OUTDIR holds because materialize put it there.
enum class MadeKind : std::uint8_t { link, clone, copy, symlink, generated, dir };

struct Made {
  MadeKind kind = MadeKind::link;
  std::string source;             // the input it came from (a symlink's target)
  std::uint64_t dev = 0, ino = 0; // of the output; 0: not known yet (journal of a copy)
  std::uint64_t size = 0;         // of the output
  std::int64_t mtime_ns = 0;      // of the output; 0: not known
};

using Record = std::map<std::string, Made, std::less<>>; // view path -> what was made there

void put_made(std::string& out, std::string_view path, const Made& m, std::string_view source) {
  put_bytes(out, path);
  out.push_back(static_cast<char>(m.kind));
  put_bytes(out, source);
  put_varint(out, m.dev);
  put_varint(out, m.ino);
  put_varint(out, m.size);
  put_signed(out, m.mtime_ns);
}

std::string record_header() {
  std::string out(k_record_magic);
  out.push_back(static_cast<char>(k_record_version));
  return out;
}

// Reads a record or journal into `record` (later entries win). A torn last entry (a journal
// cut short by a kill) ends the reading. Returns false when the header is not ours.
bool read_made(std::string_view bytes, Record& record) {
  const std::string header = record_header();
  if (bytes.substr(0, header.size()) != header) {
    return false;
  }
  Reader in(bytes.substr(header.size()));
  while (!in.at_end()) {
    std::string path;
    Made m;
    std::uint8_t kind = 0;
    if (!(in.get_bytes(path) && in.get_u8(kind) && kind <= static_cast<std::uint8_t>(MadeKind::dir) &&
          in.get_bytes(m.source) && in.get_varint(m.dev) && in.get_varint(m.ino) && in.get_varint(m.size) &&
          in.get_signed(m.mtime_ns))) {
      break;
    }
    m.kind = static_cast<MadeKind>(kind);
    record[path] = std::move(m);
  }
  return true;
}

// ---- small file-system helpers ----------------------------------------------------------------

// Writes `bytes` out and empties it once it holds `at_least` bytes (0: always). False on error.
bool flush_some(int fd, std::string& bytes, std::size_t at_least) {
  if (bytes.size() < at_least || (bytes.empty() && at_least == 0)) {
    return true;
  }
  const bool ok = write_all(fd, bytes);
  bytes.clear(); // keeps its capacity: the next chunk touches no new memory
  return ok;
}

// The whole content of `name` in folder `dirfd` (not followed if a symlink), or nullopt.
std::optional<std::string> read_at(int dirfd, const char* name) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return std::nullopt;
  }
  FdGuard guard(fd);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return std::nullopt;
    }
    if (n == 0) {
      return out;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// True when the two descriptors read the same bytes to the end.
bool same_bytes(int a, int b) {
  static thread_local char buf_a[1 << 16];
  static thread_local char buf_b[1 << 16];
  for (;;) {
    const ssize_t n = ::read(a, buf_a, sizeof buf_a);
    if (n < 0) {
      return false;
    }
    std::size_t got = 0;
    while (got < static_cast<std::size_t>(n)) {
      const ssize_t m = ::read(b, buf_b + got, static_cast<std::size_t>(n) - got);
      if (m <= 0) {
        return false;
      }
      got += static_cast<std::size_t>(m);
    }
    if (n == 0) {
      char extra = 0;
      return ::read(b, &extra, 1) == 0;
    }
    if (std::memcmp(buf_a, buf_b, static_cast<std::size_t>(n)) != 0) {
      return false;
    }
  }
}

// Copies the rest of `in` to `out`: copy_file_range, else read/write. Returns 0 or errno.
int copy_bytes(int in, int out) {
  bool plain = false;
  for (;;) {
    if (!plain) {
      const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, std::size_t(1) << 30, 0);
      if (n > 0) {
        continue;
      }
      if (n == 0) {
        return 0;
      }
      if (errno == EINTR) {
        continue;
      }
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP && errno != EBADF) {
        return errno;
      }
      plain = true;
    }
    char buf[1 << 16];
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return errno;
    }
    if (n == 0) {
      return 0;
    }
    if (!write_all(out, std::string_view(buf, static_cast<std::size_t>(n)))) {
      return errno;
    }
  }
}

bool cannot_clone(int err) { return err == EOPNOTSUPP || err == EXDEV || err == EINVAL || err == ENOTTY; }

// Makes file `name` in `dirfd` holding what `fill(fd)` writes (0 or an errno), atomically: it
// appears complete or not at all, and never replaces anything (EEXIST). Unnamed (O_TMPFILE)
// until complete; where the filesystem has no O_TMPFILE, a ".NAME.ipd-partial" beside it that
// is renamed without replacing. Returns 0 or errno; `st` describes the new file.
template <typename Fill>
int create_file(int dirfd, const char* name, mode_t mode, Fill fill, struct stat& st) {
  int fd = ::openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd >= 0) {
    FdGuard guard(fd);
    if (const int err = fill(fd)) {
      return err;
    }
    if (::fstat(fd, &st) != 0) {
      return errno;
    }
    char proc[64];
    std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    if (::linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0) {
      return 0;
    }
    if (errno != ENOENT) { // ENOENT: no /proc; try the privileged way
      return errno;
    }
    return ::linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0 ? 0 : errno;
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return errno;
  }
  const std::string partial = "." + std::string(name) + ".ipd-partial";
  fd = ::openat(dirfd, partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) { // left by a killed run: a name reserved for this use
    ::unlinkat(dirfd, partial.c_str(), 0);
    fd = ::openat(dirfd, partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  }
  if (fd < 0) {
    return errno;
  }
  int err = 0;
  {
    FdGuard guard(fd);
    err = fill(fd);
    if (!err && ::fstat(fd, &st) != 0) {
      err = errno;
    }
  }
  if (!err && ::renameat2(dirfd, partial.c_str(), dirfd, name, RENAME_NOREPLACE) != 0) {
    err = errno;
    if (err == EINVAL) { // no RENAME_NOREPLACE here: check, then rename
      struct stat there {};
      err = ::fstatat(dirfd, name, &there, AT_SYMLINK_NOFOLLOW) == 0 ? EEXIST
            : ::renameat(dirfd, partial.c_str(), dirfd, name) == 0   ? 0
                                                                     : errno;
    }
  }
  if (err) {
    ::unlinkat(dirfd, partial.c_str(), 0);
  }
  return err;
}

// The parent folder of `path` (relative to `root`), opened O_PATH one component at a time
// without following any symlink; -1 with errno set on failure. `leaf` gets the last component.
int open_parent(int root, std::string_view path, std::string& leaf) {
  int fd = ::fcntl(root, F_DUPFD_CLOEXEC, 0);
  std::size_t start = 0;
  for (std::size_t slash; fd >= 0 && (slash = path.find('/', start)) != std::string_view::npos;
       start = slash + 1) {
    const std::string name(path.substr(start, slash - start));
    const int next = ::openat(fd, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    ::close(fd);
    fd = next;
    errno = err;
  }
  leaf = std::string(path.substr(start));
  return fd;
}

std::string symlink_target(int dirfd, const char* name) {
  char buf[8192];
  const ssize_t n = ::readlinkat(dirfd, name, buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<std::size_t>(n));
}

// What stands at a path, for a conflict line.
std::string describe(int dirfd, const char* name, const struct stat& st) {
  if (S_ISREG(st.st_mode)) {
    return "a different file (" + std::to_string(st.st_size) + " bytes) that this tool did not make";
  }
  if (S_ISDIR(st.st_mode)) {
    return "a folder";
  }
  if (S_ISLNK(st.st_mode)) {
    return "a symbolic link to " + display_path(symlink_target(dirfd, name));
  }
  return "a special file";
}

// True when `st` (at dirfd/name) is what `m` says was made there.
bool matches(const Made& m, const struct stat& st, int dirfd, const char* name) {
  switch (m.kind) {
  case MadeKind::link: return S_ISREG(st.st_mode) && st.st_dev == m.dev && st.st_ino == m.ino;
  case MadeKind::clone:
  case MadeKind::copy:
  case MadeKind::generated:
    return S_ISREG(st.st_mode) && (m.ino == 0 || (st.st_dev == m.dev && st.st_ino == m.ino)) &&
           std::uint64_t(st.st_size) == m.size && (m.mtime_ns == 0 || timespec_ns(st.st_mtim) == m.mtime_ns);
  case MadeKind::symlink: return S_ISLNK(st.st_mode) && symlink_target(dirfd, name) == m.source;
  case MadeKind::dir: return S_ISDIR(st.st_mode);
  }
  return false;
}

// True when deleting the file `m` made (now `st`) loses no input's data: another name holds the
// inode, or the input it was made from is still there.
bool survives(const Made& m, const struct stat& st) {
  struct stat source {};
  switch (m.kind) {
  case MadeKind::link: return st.st_nlink > 1 || ::lstat(m.source.c_str(), &source) == 0;
  case MadeKind::clone:
  case MadeKind::copy: return ::lstat(m.source.c_str(), &source) == 0;
  case MadeKind::symlink:
  case MadeKind::generated:
  case MadeKind::dir: return true;
  }
  return false;
}

Made made_from(std::uint64_t dev, std::uint64_t ino, std::uint64_t size, const timespec& mtime,
               MadeKind kind) {
  Made m;
  m.kind = kind;
  m.dev = dev;
  m.ino = ino;
  m.size = size;
  m.mtime_ns = timespec_ns(mtime);
  return m;
}

Made made_from(const struct stat& st, MadeKind kind, std::string source) {
  Made m;
  m.kind = kind;
  m.source = std::move(source);
  m.dev = st.st_dev;
  m.ino = st.st_ino;
  m.size = static_cast<std::uint64_t>(st.st_size);
  m.mtime_ns = timespec_ns(st.st_mtim);
  return m;
}

// ---- the view -----------------------------------------------------------------------------

// Strings kept for the life of a run in a few large blocks: views into them stay valid, each is
// followed by a NUL (a C string for the system calls), and a large view costs few page faults.
class Strings {
public:
  std::string_view keep(std::string_view text) {
    if (m_blocks.empty() || m_blocks.back().capacity() - m_blocks.back().size() < text.size() + 1) {
      m_blocks.emplace_back();
      m_blocks.back().reserve(std::max<std::size_t>(std::size_t(1) << 20, text.size() + 1));
    }
    std::string& block = m_blocks.back(); // appended within its capacity: never moves
    const std::size_t at = block.size();
    block.append(text);
    block.push_back('\0');
    return std::string_view(block.data() + at, text.size());
  }

private:
  std::vector<std::string> m_blocks;
};

// The facts of an input that materialize uses, from its lstat.
struct Source {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  timespec mtime{};
  mode_t mode = 0;
};

// One file of the view; the strings are in the run's Strings, NUL-terminated.
struct Item {
  std::string_view path;
  std::string_view source;  // empty for a generated file
  std::string_view content; // of a generated file (README.txt)
  bool generated = false;
  std::uint64_t size = 0;    // of the input, as indexed
  std::int64_t mtime_ns = 0; // likewise
  Source src;
  int src_err = 0;      // errno of the input's lstat; ENODATA: not a regular file
  bool changed = false; // since the last index
};

// What this run made (or found of its own) at an item's path.
struct Mark {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  MadeKind kind = MadeKind::link;
  bool made = false; // else nothing of its own there
  bool drop = false; // the earlier record of the path goes
};

// A view path that stays inside OUTDIR and is not the record's.
bool safe_path(std::string_view path) {
  return is_contained_path(path) && path.substr(0, k_materialized_record.size()) != k_materialized_record;
}

// The root a source lies under (the longest), else its folder.
std::string root_of(std::string_view source, const std::vector<std::string>& roots) {
  std::string best;
  for (const auto& root : roots) {
    if (is_inside(source, root) && root.size() >= best.size()) {
      best = root;
    }
  }
  return best.empty() ? std::string(parent_of(source)) : best;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + display_path(item);
  }
  return out;
}

// ---- the folders of OUTDIR ----------------------------------------------------------------

// The folder being written and its ancestors, each opened once: entering a view path's folder
// makes (mkdirat) and opens (O_PATH|O_NOFOLLOW) only the components that differ from the last.
class Folders {
public:
  static constexpr int k_missing = -1; // dry run: the folder does not exist yet
  static constexpr int k_blocked = -2; // a file, a symlink or an error stands in the way

  Folders(int root, bool dry_run) : m_root(root), m_dry_run(dry_run) {}
  ~Folders() { leave(0); }
  Folders(const Folders&) = delete;
  Folders& operator=(const Folders&) = delete;

  // The descriptor of folder `dir` ("" for OUTDIR), or k_missing / k_blocked. When blocked,
  // block_path() and block_what() say by what, and block_is_conflict() whether it is a conflict.
  int enter(std::string_view dir) {
    std::size_t depth = 0;
    std::size_t start = 0;
    while (start < dir.size()) {
      const std::size_t slash = std::min(dir.find('/', start), dir.size());
      const std::string_view name = dir.substr(start, slash - start);
      if (depth < m_levels.size() && m_levels[depth].name == name) {
        ++depth;
        start = slash + 1;
        continue;
      }
      leave(depth);
      push(std::string(dir.substr(0, slash)), name);
      ++depth;
      start = slash + 1;
    }
    leave(depth);
    return m_levels.empty() ? m_root : m_levels.back().fd;
  }

  const std::string& block_path() const { return m_levels.back().block_path; }
  const std::string& block_what() const { return m_levels.back().block_what; }
  bool block_is_conflict() const { return m_levels.back().block_conflict; }

  // Folders made since the last call.
  std::vector<std::string> take_made() { return std::exchange(m_made, {}); }

private:
  struct Level {
    std::string name;
    int fd = k_missing;
    std::string block_path; // when blocked
    std::string block_what;
    bool block_conflict = false;
  };

  void leave(std::size_t depth) {
    while (m_levels.size() > depth) {
      if (m_levels.back().fd >= 0) {
        ::close(m_levels.back().fd);
      }
      m_levels.pop_back();
    }
  }

  void push(std::string path, std::string_view name_view) {
    Level level;
    level.name = std::string(name_view);
    const int parent = m_levels.empty() ? m_root : m_levels.back().fd;
    if (parent == k_blocked) {
      level.fd = k_blocked;
      level.block_path = m_levels.back().block_path;
      level.block_what = m_levels.back().block_what;
      level.block_conflict = m_levels.back().block_conflict;
    } else if (parent == k_missing) {
      level.fd = k_missing;
    } else {
      const char* name = level.name.c_str();
      if (!m_dry_run) {
        if (::mkdirat(parent, name, 0777) == 0) {
          m_made.push_back(path);
        } else if (errno != EEXIST) {
          block(level, path, "cannot make folder: " + errno_text(errno), false);
        }
      }
      if (level.fd != k_blocked) {
        level.fd = ::openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (level.fd < 0) {
          const int err = errno;
          struct stat st {};
          if (err == ENOENT && m_dry_run) {
            level.fd = k_missing;
          } else if ((err == ENOTDIR || err == ELOOP) &&
                     ::fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            block(level, path, describe(parent, name, st) + " where a folder of the view goes", true);
          } else {
            block(level, path, "cannot open folder: " + errno_text(err), false);
          }
        }
      }
    }
    m_levels.push_back(std::move(level));
  }

  static void block(Level& level, const std::string& path, std::string what, bool conflict) {
    level.fd = k_blocked;
    level.block_path = path;
    level.block_what = std::move(what);
    level.block_conflict = conflict;
  }

  int m_root;
  bool m_dry_run;
  std::vector<Level> m_levels;
  std::vector<std::string> m_made;
};

// ---- one run ------------------------------------------------------------------------------

class Run {
public:
  Run(const Catalog& catalog, const std::filesystem::path& outdir, const MaterializeOptions& options)
      : m_catalog(catalog), m_outdir(outdir), m_options(options), m_roots(catalog_roots(catalog)) {}
  ~Run() {
    if (m_out >= 0) {
      ::close(m_out);
    }
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  MaterializeReport go() {
    const auto began = std::chrono::steady_clock::now();
    auto lap = began;
    const auto time = [&](double& into) {
      const auto now = std::chrono::steady_clock::now();
      into = std::chrono::duration<double>(now - lap).count();
      lap = now;
    };
    read_view();
    note_changed_inputs();
    time(m_report.view_seconds);
    check_outdir();
    if (open_outdir()) {
      read_record();
      if (m_options.mode == MaterializeMode::reflink && !m_options.dry_run) {
        probe_reflink();
      }
      remove_left();
    }
    make_tree();
    time(m_report.tree_seconds);
    if (m_out >= 0) {
      remove_empty_folders();
      if (!m_options.dry_run) {
        write_record();
      }
    }
    time(m_report.record_seconds);
    m_report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return std::move(m_report);
  }

private:
  // Passes 1 and 2, overlapped: the view in key order, and each input's lstat — every chunk of
  // items is stat'ed by other threads while the next is read.
  void read_view() {
    bool readme = false;
    ViewEntry entry; // its buffers reused from one entry to the next
    tbb::task_group stats;
    std::vector<Item*> chunk; // deque elements stay where they are as it grows
    const auto stat_chunk = [&] {
      stats.run([items = std::move(chunk)] {
        for (Item* item : items) {
          item->changed = stat_input(*item);
        }
      });
      chunk.clear();
    };
    const auto read = [&](std::string_view key, std::string_view value) {
      if (!decode(value, entry)) {
        m_report.errors.push_back({std::string(key), "undecodable view entry (re-index)"});
        return true;
      }
      if (!safe_path(key)) {
        m_report.errors.push_back({std::string(key), "unsafe view path: not written"});
        return true;
      }
      Item item;
      item.path = m_strings.keep(key);
      item.generated = entry.source.empty();
      item.source = m_strings.keep(entry.source);
      item.content = item.generated ? m_strings.keep(entry.content) : std::string_view();
      item.size = entry.size;
      item.mtime_ns = entry.mtime_ns;
      readme = readme || key == k_readme_name;
      m_items.push_back(std::move(item));
      chunk.push_back(&m_items.back());
      if (chunk.size() == k_stat_chunk) {
        stat_chunk();
      }
      return true;
    };
    try {
      m_catalog.scan(Catalog::Table::view, "", read);
    } catch (...) {
      stats.wait(); // the tasks use the items
      throw;
    }
    stat_chunk();
    stats.wait();
    if (!readme) {
      throw Fatal("the catalog " + m_catalog.dir().string() + " has no view yet: run index first");
    }
    m_report.files = m_items.size() + m_report.errors.size();
    std::string_view last_parent;
    for (const auto& item : m_items) {
      if (parent_of(item.path) == last_parent) {
        continue;
      }
      last_parent = parent_of(item.path);
      for (std::string_view dir = last_parent; !dir.empty(); dir = parent_of(dir)) {
        if (!m_view_dirs.insert(std::string(dir)).second) {
          break;
        }
      }
    }
  }

  // The inputs changed since the last index, as notes.
  void note_changed_inputs() {
    for (std::size_t i = 0; i < m_items.size(); ++i) {
      if (m_items[i].changed) {
        m_report.notes.push_back(
            {std::string(m_items[i].path), "its input " + display_path(m_items[i].source) +
                                               " changed since the last index (re-index to place it anew)"});
      }
    }
  }

  // Fills item.src (or item.src_err); true when the input changed since it was indexed.
  static bool stat_input(Item& item) {
    struct stat st {};
    if (item.generated) {
      return false;
    }
    if (item.source.empty() || item.source.front() != '/') {
      item.src_err = EINVAL;
    } else if (::lstat(item.source.data(), &st) != 0) {
      item.src_err = errno;
    } else if (!S_ISREG(st.st_mode)) {
      item.src_err = ENODATA;
    } else {
      item.src = {st.st_dev, st.st_ino, std::uint64_t(st.st_size), st.st_mtim, st.st_mode};
      return item.src.size != item.size || timespec_ns(item.src.mtime) != item.mtime_ns;
    }
    return false;
  }

  std::string input_problem(const Item& item) const {
    if (item.src_err == ENOENT) {
      return "its input " + display_path(item.source) + " is gone since the last index (re-index)";
    }
    if (item.src_err == ENODATA) {
      return "its input " + display_path(item.source) + " is no longer a regular file (re-index)";
    }
    if (item.src_err == EINVAL) {
      return "its input path is not absolute: " + display_path(item.source);
    }
    return "cannot stat its input " + display_path(item.source) + ": " + errno_text(item.src_err);
  }

  // OUTDIR: a folder (or to be made), apart from the roots, and for hard links on their filesystem.
  void check_outdir() {
    std::error_code ec;
    const std::string out =
        std::filesystem::weakly_canonical(std::filesystem::absolute(m_outdir), ec).string();
    for (const auto& root : m_roots) {
      if (is_inside(out, root)) {
        throw Fatal(m_outdir.string() + " lies inside the input root " + root +
                    ": the next index would read the tree as new inputs; choose a folder outside the roots");
      }
      if (is_inside(root, out)) {
        throw Fatal("the input root " + root + " lies inside " + m_outdir.string() +
                    ": materialize never writes among the inputs; choose another folder");
      }
    }
    struct stat st {};
    std::filesystem::path probe = m_outdir;
    if (::stat(m_outdir.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        throw Fatal(m_outdir.string() + " exists and is not a folder");
      }
    } else if (errno != ENOENT) {
      throw Fatal(m_outdir.string() + ": " + errno_text(errno));
    } else {
      // The nearest folder that exists: OUTDIR will be made on its filesystem.
      probe = std::filesystem::absolute(m_outdir);
      do {
        probe = probe.parent_path();
      } while (::stat(probe.c_str(), &st) != 0 && probe != probe.root_path());
      if (!S_ISDIR(st.st_mode)) {
        throw Fatal(m_outdir.string() + ": " + probe.string() + " is not a folder");
      }
    }
    if (m_options.mode != MaterializeMode::hardlink) {
      return;
    }
    std::set<std::string> other;
    for (const auto& item : m_items) {
      if (!item.generated && item.src_err == 0 && item.src.dev != st.st_dev) {
        other.insert(root_of(item.source, m_roots));
      }
    }
    if (!other.empty()) {
      throw Fatal(m_outdir.string() + " is on another filesystem than the inputs under " +
                  join({other.begin(), other.end()}) +
                  ": hard links cannot cross filesystems, so nothing was written. Materialize onto "
                  "the filesystem of the inputs, or use --mode copy (or --mode reflink where both "
                  "lie on one filesystem that clones, such as btrfs subvolumes)");
    }
  }

  // Opens OUTDIR (making it, unless a dry run) and locks it. False when it does not exist (dry run).
  bool open_outdir() {
    if (!m_options.dry_run) {
      std::error_code ec;
      std::filesystem::create_directories(m_outdir, ec);
      if (ec) {
        throw Fatal("cannot make " + m_outdir.string() + ": " + ec.message());
      }
    }
    m_out = ::open(m_outdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_out < 0) {
      if (m_options.dry_run && errno == ENOENT) {
        return false;
      }
      throw Fatal("cannot open " + m_outdir.string() + ": " + errno_text(errno));
    }
    if (::flock(m_out, (m_options.dry_run ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
      throw Fatal("another materialize is writing into " + m_outdir.string());
    }
    return true;
  }

  // Pass 3: the record, and the journal of a run that did not finish.
  void read_record() {
    const std::string record_name(k_materialized_record);
    if (auto bytes = read_at(m_out, record_name.c_str()); bytes && !bytes->empty()) {
      if (!read_made(*bytes, m_record)) {
        throw Fatal(m_outdir.string() + "/" + record_name +
                    " is not a record this version of iphone-photo-dedup can read; move it away");
      }
    }
    Record journal;
    if (auto bytes = read_at(m_out, journal_name().c_str())) {
      read_made(*bytes, journal);
    }
    // A journalled path is ours when it holds exactly what was about to be made there.
    for (auto& [path, m] : journal) {
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
      const auto it = m_record.find(path);
      if (it != m_record.end() && matches(it->second, st, parent, leaf.c_str())) {
        continue;
      }
      if (matches(m, st, parent, leaf.c_str())) {
        Made adopted = made_from(st, m.kind, m.source);
        m_record[path] = std::move(adopted);
      }
    }
  }

  // Reflinks: one clone per filesystem of the inputs, into an unnamed file, before anything is made.
  void probe_reflink() {
    std::set<dev_t> tried;
    std::set<std::string> refused;
    std::string why;
    for (const auto& item : m_items) {
      if (item.generated || item.src_err || !tried.insert(item.src.dev).second) {
        continue;
      }
      std::string error;
      const int in = open_input(item.source.data(), error);
      if (in < 0) {
        tried.erase(item.src.dev);
        continue;
      }
      FdGuard in_guard(in);
      const int out = ::openat(m_out, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
      if (out < 0) {
        return; // no unnamed files here: each file reports for itself
      }
      FdGuard out_guard(out);
      if (::ioctl(out, FICLONE, in) != 0 && cannot_clone(errno)) {
        why = errno_text(errno);
        refused.insert(root_of(item.source, m_roots));
      }
    }
    if (!refused.empty()) {
      throw Fatal("cannot reflink into " + m_outdir.string() + " from " +
                  join({refused.begin(), refused.end()}) + " (" + why +
                  "): the filesystem cannot clone files (reflinks need the inputs and OUTDIR on one "
                  "btrfs, XFS or similar filesystem), so nothing was written; use --mode copy");
    }
  }

  // Pass 4: files it made earlier that are no longer in the view.
  void remove_left() {
    for (auto it = m_record.begin(); it != m_record.end();) {
      const std::string& path = it->first;
      const Made& m = it->second;
      if (m.kind == MadeKind::dir ||
          std::binary_search(m_items.begin(), m_items.end(), path,
                             [](const auto& a, const auto& b) { return key(a) < key(b); })) {
        ++it;
        continue;
      }
      std::string leaf;
      const int parent = open_parent(m_out, path, leaf);
      FdGuard guard(parent);
      struct stat st {};
      if (parent < 0 || ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          !matches(m, st, parent, leaf.c_str())) {
        it = m_record.erase(it); // gone, or no longer what it made: not its to remove
        continue;
      }
      if (!survives(m, st)) {
        m_report.kept.push_back({path, "left the view, but its input " + display_path(m.source) +
                                           " is gone and this is the last copy: kept"});
        ++it;
        continue;
      }
      if (m_options.dry_run) {
        m_report.planned.push_back({path, "remove"});
        ++m_report.removed;
        ++it;
        continue;
      }
      if (::unlinkat(parent, leaf.c_str(), 0) != 0) {
        m_report.errors.push_back({path, "cannot remove (it left the view): " + errno_text(errno)});
        ++it;
        continue;
      }
      ++m_report.removed;
      it = m_record.erase(it);
    }
  }

  static std::string_view key(const Item& item) { return item.path; }
  static std::string_view key(const std::string& path) { return path; }

  MadeKind kind_for(const Item& item) const {
    if (item.generated) {
      return MadeKind::generated;
    }
    switch (m_options.mode) {
    case MaterializeMode::hardlink: return MadeKind::link;
    case MaterializeMode::reflink: return MadeKind::clone;
    case MaterializeMode::copy: return MadeKind::copy;
    case MaterializeMode::symlink: return MadeKind::symlink;
    }
    return MadeKind::link;
  }

  // What is about to be made for `item`, as far as it is known before it is made (the source
  // left out: it is the item's).
  Made intended(const Item& item) const {
    Made m;
    m.kind = kind_for(item);
    if (m.kind == MadeKind::generated) {
      m.size = item.content.size();
    } else if (m.kind == MadeKind::link) {
      m = made_from(item.src.dev, item.src.ino, item.src.size, item.src.mtime, m.kind);
    } else if (m.kind != MadeKind::symlink) {
      m.size = item.src.size;
      m.mtime_ns = timespec_ns(item.src.mtime);
    }
    return m;
  }

  // Makes `item` at dirfd/name; 0 or errno (EEXIST: something is there). Sets `made`, and
  // `error` when the input could not be opened.
  int create(const Item& item, int dirfd, const char* name, Made& made, std::string& error) const {
    struct stat st {};
    const MadeKind kind = kind_for(item);
    if (kind == MadeKind::generated) {
      const int err = create_file(
          dirfd, name, 0644, [&](int fd) { return write_all(fd, item.content) ? 0 : errno; }, st);
      if (!err) {
        made = made_from(st, kind, {});
      }
      return err;
    }
    if (kind == MadeKind::link) {
      if (::linkat(AT_FDCWD, item.source.data(), dirfd, name, 0) != 0) {
        return errno;
      }
      made = intended(item);
      return 0;
    }
    if (kind == MadeKind::symlink) {
      if (::symlinkat(item.source.data(), dirfd, name) != 0) {
        return errno;
      }
      made = intended(item);
      return 0;
    }
    const int in = open_input(item.source.data(), error);
    if (in < 0) {
      return EIO;
    }
    FdGuard in_guard(in);
    struct stat src {};
    if (::fstat(in, &src) != 0) {
      return errno;
    }
    const int err = create_file(
        dirfd, name, src.st_mode & 0777,
        [&](int fd) {
          int e = kind == MadeKind::clone ? (::ioctl(fd, FICLONE, in) == 0 ? 0 : errno) : copy_bytes(in, fd);
          const timespec times[2] = {src.st_atim, src.st_mtim};
          if (!e && ::futimens(fd, times) != 0) {
            e = errno;
          }
          return e;
        },
        st);
    if (!err) {
      made = made_from(st, kind, {});
    }
    return err;
  }

  // True when dirfd/name (`st`) already holds the right file for `item`.
  bool is_right(const Item& item, int dirfd, const char* name, const struct stat& st) const {
    const MadeKind kind = kind_for(item);
    if (kind == MadeKind::symlink) {
      return S_ISLNK(st.st_mode) && symlink_target(dirfd, name) == item.source;
    }
    if (!S_ISREG(st.st_mode)) {
      return false;
    }
    if (kind == MadeKind::generated) {
      if (std::uint64_t(st.st_size) != item.content.size()) {
        return false;
      }
      const auto there = read_at(dirfd, name);
      return there && *there == item.content;
    }
    if (kind == MadeKind::link) {
      return st.st_dev == item.src.dev && st.st_ino == item.src.ino;
    }
    if (std::uint64_t(st.st_size) != item.src.size) {
      return false;
    }
    // A copy it made from this very version of the input, untouched since: no need to read it.
    const auto it = m_record.find(item.path);
    if (it != m_record.end() && matches(it->second, st, dirfd, name) && it->second.source == item.source &&
        timespec_ns(st.st_mtim) == timespec_ns(item.src.mtime)) {
      return true;
    }
    std::string error;
    const int in = open_input(item.source.data(), error);
    const int there = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    FdGuard in_guard(in);
    FdGuard there_guard(there);
    return in >= 0 && there >= 0 && same_bytes(in, there);
  }

  std::string create_error(int err, std::string open_error) const {
    if (!open_error.empty()) {
      return open_error;
    }
    std::string text = "cannot make: " + errno_text(err);
    if (m_options.mode == MaterializeMode::hardlink && err == EPERM) {
      text += " (the kernel refuses hard links to files of other users: fs.protected_hardlinks; "
              "use --mode copy)";
    } else if (m_options.mode == MaterializeMode::reflink && cannot_clone(err)) {
      text += " (the filesystem cannot clone this file: use --mode copy)";
    } else if (err == EXDEV) {
      text += " (another filesystem)";
    }
    return text;
  }

  // What one task of the make pass did, for one folder of the view; merged in view order.
  struct Partial {
    std::uint64_t made = 0;
    std::uint64_t replaced = 0;
    std::uint64_t already = 0;
    std::vector<MaterializeIssue> conflicts;
    std::vector<MaterializeIssue> errors;
    std::vector<MaterializeIssue> planned;
    std::string block_path; // a folder in the way of this folder's files, and what stands there
    std::string block_what;
    bool block_conflict = false;
    std::uint64_t blocked = 0; // files not made because of it
    std::vector<std::string> dirs_made;
  };

  // One view file, m_items[index], in folder `dirfd`. Reads m_record, never changes it: what
  // changes is noted per item (m_made, m_drop) and applied after the pass.
  void place(Partial& out, std::size_t index, int dirfd) {
    const Item& item = m_items[index];
    const std::string leaf(leaf_of(item.path));
    const char* name = leaf.c_str();
    const auto ours = m_record.find(item.path);
    const bool input_ok = item.generated || item.src_err == 0;
    auto problem = [&](std::vector<MaterializeIssue>& list, std::string what) {
      list.push_back({std::string(item.path), std::move(what)});
    };
    Made made;
    std::string open_error;
    if (dirfd == Folders::k_missing) { // dry run, folder not there yet
      if (input_ok) {
        out.planned.push_back({std::string(item.path), "make"});
        ++out.made;
      } else {
        problem(out.errors, input_problem(item));
      }
      return;
    }
    int err = EEXIST;
    if (!m_options.dry_run && input_ok) {
      err = create(item, dirfd, name, made, open_error);
      if (err == 0) {
        ++out.made;
        ours_now(index, std::move(made), ours != m_record.end());
        pause();
        return;
      }
      if (err != EEXIST) {
        problem(out.errors, create_error(err, open_error));
        return;
      }
    }
    struct stat st {};
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT && input_ok) { // dry run
        out.planned.push_back({std::string(item.path), "make"});
        ++out.made;
      } else if (errno == ENOENT) {
        problem(out.errors, input_problem(item));
      } else {
        problem(out.errors, "cannot stat: " + errno_text(errno));
      }
      return;
    }
    const bool is_ours = ours != m_record.end() && matches(ours->second, st, dirfd, name);
    if (!input_ok) {
      // The input is gone, but the file made from it stands: nothing to do.
      if (is_ours) {
        ++out.already;
      } else {
        problem(out.errors, input_problem(item));
      }
      return;
    }
    if (is_right(item, dirfd, name, st)) {
      ++out.already;
      if (is_ours) {
        ours_now(index, made_from(st, kind_for(item), {}), true);
      }
      return;
    }
    if (!is_ours) {
      m_marks[index].drop = ours != m_record.end(); // replaced by the user: theirs now
      problem(out.conflicts, describe(dirfd, name, st));
      return;
    }
    if (!survives(ours->second, st)) {
      problem(out.conflicts, "a file this tool made earlier from " + display_path(ours->second.source) +
                                 ", whose input is gone: the last copy, kept (move it away to make room)");
      return;
    }
    if (m_options.dry_run) {
      out.planned.push_back({std::string(item.path), "replace"});
      ++out.made;
      ++out.replaced;
      return;
    }
    // An earlier file of ours that the view now wants otherwise: remove it, then make anew (a
    // kill in between leaves the path empty, and the next run makes it).
    if (::unlinkat(dirfd, name, 0) != 0) {
      problem(out.errors, "cannot replace an earlier file: " + errno_text(errno));
      return;
    }
    m_marks[index].drop = true;
    err = create(item, dirfd, name, made, open_error);
    if (err) {
      problem(out.errors, create_error(err, open_error));
      return;
    }
    ++out.made;
    ++out.replaced;
    ours_now(index, std::move(made), true);
    pause();
  }

  // m_items[index] now holds `made`, made by this tool; the earlier record of it (if any) goes.
  void ours_now(std::size_t index, const Made& made, bool drop_earlier) {
    Mark& mark = m_marks[index];
    mark = {made.dev, made.ino, made.size, made.mtime_ns, made.kind, true, drop_earlier || mark.drop};
  }

  void pause() const {
    if (m_options.pause.count() > 0) {
      std::this_thread::sleep_for(m_options.pause);
    }
  }

  // Writes ahead, in one append, everything this run may make: a run killed part-way leaves
  // it behind for the next run (read_record).
  void journal_all() {
    std::string bytes;
    const int fd =
        ::openat(m_out, journal_name().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    FdGuard guard(fd);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      throw Fatal("cannot write " + m_outdir.string() + "/" + journal_name() + ": " + errno_text(errno));
    }
    if (st.st_size == 0) {
      bytes = record_header();
    }
    for (const Item& item : m_items) {
      if (item.generated || item.src_err == 0) {
        put_made(bytes, item.path, intended(item), item.source);
      }
      if (!flush_some(fd, bytes, k_write_chunk)) {
        throw Fatal("cannot write " + m_outdir.string() + "/" + journal_name() + ": " + errno_text(errno));
      }
    }
    if (!flush_some(fd, bytes, 0)) {
      throw Fatal("cannot write " + m_outdir.string() + "/" + journal_name() + ": " + errno_text(errno));
    }
  }

  // Pass 5: the tree. Each folder of the view is a task (its files are contiguous in view
  // order); tasks run in parallel, each with its own open folders, and report in view order.
  void make_tree() {
    const std::size_t n = m_items.size();
    m_marks.assign(n, Mark{});
    if (m_out >= 0 && !m_options.dry_run) {
      journal_all();
    }
    std::vector<std::size_t> starts; // folder g holds items [starts[g], starts[g + 1])
    for (std::size_t i = 0; i < n; ++i) {
      if (i == 0 || parent_of(m_items[i].path) != parent_of(m_items[i - 1].path)) {
        starts.push_back(i);
      }
    }
    starts.push_back(n);
    const std::size_t groups = starts.size() - 1;
    std::vector<Partial> partials(groups);
    std::atomic<std::uint64_t> done{0};
    std::mutex progress_mutex; // serializes calls of the progress callback
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, groups), [&](const tbb::blocked_range<std::size_t>& r) {
          Folders folders(m_out, m_options.dry_run);
          for (std::size_t g = r.begin(); g != r.end(); ++g) {
            Partial& out = partials[g];
            for (std::size_t i = starts[g]; i < starts[g + 1]; ++i) {
              const int dirfd = m_out < 0 ? Folders::k_missing : folders.enter(parent_of(m_items[i].path));
              if (dirfd == Folders::k_blocked) {
                out.block_path = folders.block_path();
                out.block_what = folders.block_what();
                out.block_conflict = folders.block_is_conflict();
                ++out.blocked;
              } else {
                place(out, i, dirfd);
              }
            }
            out.dirs_made = folders.take_made();
            const std::uint64_t before = done.fetch_add(starts[g + 1] - starts[g]);
            if (m_options.progress && (before + starts[g + 1] - starts[g]) / 256 != before / 256) {
              std::lock_guard lock(progress_mutex);
              m_options.progress(done.load(), n);
            }
          }
        });
    // In view order: the counts, the lists, a folder in the way once (with the files it held
    // up), the folders made; then what changed in the record.
    std::map<std::string, std::pair<std::vector<MaterializeIssue>*, std::size_t>> blocks;
    std::map<std::string, std::uint64_t> blocked_files;
    for (auto& out : partials) {
      m_report.made += out.made;
      m_report.replaced += out.replaced;
      m_report.already += out.already;
      for (auto* list : {&out.conflicts, &out.errors, &out.planned}) {
        auto& into = list == &out.conflicts ? m_report.conflicts
                     : list == &out.errors  ? m_report.errors
                                            : m_report.planned;
        std::move(list->begin(), list->end(), std::back_inserter(into));
      }
      if (out.blocked) {
        if (!blocks.count(out.block_path)) {
          auto& list = out.block_conflict ? m_report.conflicts : m_report.errors;
          list.push_back({out.block_path, out.block_what});
          blocks[out.block_path] = {&list, list.size() - 1};
        }
        blocked_files[out.block_path] += out.blocked;
      }
      for (auto& dir : out.dirs_made) {
        m_record[dir] = Made{MadeKind::dir, {}, 0, 0, 0, 0};
      }
    }
    for (const auto& [path, where] : blocks) {
      const std::uint64_t files = blocked_files[path];
      (*where.first)[where.second].what +=
          "; " + std::to_string(files) + " file" + (files == 1 ? "" : "s") + " of the view not made below it";
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (m_marks[i].drop) {
        if (const auto it = m_record.find(m_items[i].path); it != m_record.end()) {
          m_record.erase(it);
        }
      }
    }
    if (m_options.progress) {
      m_options.progress(n, n);
    }
  }

  // Pass 6: folders it made that no longer hold anything of the view, deepest first.
  void remove_empty_folders() {
    std::vector<std::string> dirs;
    for (const auto& [path, m] : m_record) {
      if (m.kind == MadeKind::dir && !m_view_dirs.count(path)) {
        dirs.push_back(path);
      }
    }
    std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
      const auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
      return depth(a) != depth(b) ? depth(a) > depth(b) : a < b;
    });
    for (const auto& dir : dirs) {
      if (m_options.dry_run) {
        continue;
      }
      std::string leaf;
      const int parent = open_parent(m_out, dir, leaf);
      FdGuard guard(parent);
      if (parent < 0) {
        m_record.erase(dir);
        continue;
      }
      if (::unlinkat(parent, leaf.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT || errno == ENOTDIR) {
        m_record.erase(dir);
      }
    }
  }

  // The record, replaced atomically; then the journal is dropped.
  void write_record() {
    const std::string temp = record_temp_name();
    const std::string where = m_outdir.string() + "/" + std::string(k_materialized_record);
    ::unlinkat(m_out, temp.c_str(), 0); // ours, left by a killed run
    const int fd = ::openat(m_out, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw Fatal("cannot write " + where + ": " + errno_text(errno));
    }
    {
      FdGuard guard(fd);
      std::string bytes = record_header();
      bool ok = true;
      for (const auto& [path, m] : m_record) {
        put_made(bytes, path, m, m.source);
        ok = ok && flush_some(fd, bytes, k_write_chunk);
      }
      for (std::size_t i = 0; i < m_items.size(); ++i) {
        if (const Mark& mark = m_marks[i]; mark.made) {
          put_made(bytes, m_items[i].path, Made{mark.kind, {}, mark.dev, mark.ino, mark.size, mark.mtime_ns},
                   m_items[i].source);
          ok = ok && flush_some(fd, bytes, k_write_chunk);
        }
      }
      if (!ok || !flush_some(fd, bytes, 0)) {
        const int err = errno;
        ::unlinkat(m_out, temp.c_str(), 0);
        throw Fatal("cannot write " + where + ": " + errno_text(err));
      }
    }
    if (::renameat(m_out, temp.c_str(), m_out, std::string(k_materialized_record).c_str()) != 0) {
      throw Fatal("cannot write " + where + ": " + errno_text(errno));
    }
    ::unlinkat(m_out, journal_name().c_str(), 0);
  }

  const Catalog& m_catalog;
  std::filesystem::path m_outdir;
  const MaterializeOptions& m_options;
  MaterializeReport m_report;
  std::deque<Item> m_items;          // in view-path order
  std::set<std::string> m_view_dirs; // every folder of the view
  Record m_record;                   // what it made earlier (and folders), as far as still there
  std::vector<Mark> m_marks;         // per item: what it made (or found of its own) there
  Strings m_strings;                 // the items' strings
  std::vector<std::string> m_roots;  // of the last index
  int m_out = -1;                    // OUTDIR
};

} // namespace

std::string_view mode_name(MaterializeMode mode) {
  switch (mode) {
  case MaterializeMode::hardlink: return "hardlink";
  case MaterializeMode::reflink: return "reflink";
  case MaterializeMode::copy: return "copy";
  case MaterializeMode::symlink: return "symlink";
  }
  return "hardlink";
}

std::optional<MaterializeMode> parse_materialize_mode(std::string_view name) {
  for (auto mode : {MaterializeMode::hardlink, MaterializeMode::reflink, MaterializeMode::copy,
                    MaterializeMode::symlink}) {
    if (mode_name(mode) == name) {
      return mode;
    }
  }
  return std::nullopt;
}

MaterializeReport materialize(const Catalog& catalog, const std::filesystem::path& outdir,
                              const MaterializeOptions& options) {
  Run run(catalog, outdir, options);
  return run.go();
}

} // namespace ipd
