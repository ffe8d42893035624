// The view as a real FUSE mount, through the real binary: the tree, the bytes, the attributes,
// read-only everywhere, inputs untouched, live after a re-index, concurrent readers, a killed
// server. Every mount is unmounted by a guard, `fusermount3 -uz` as the last resort.
#include "index/view/snapshot.hpp"
#include "tests/support/inputs.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <thread>
#include <unistd.h>

using namespace ipd;
using test::json_field;
using test::run_tool;
using test::TmpDir;
using test::write_file;
using Clock = std::chrono::steady_clock;

namespace {

// Why real mounts cannot run here, or empty when they can.
std::string fuse_missing() {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    return "/dev/fuse is not usable here";
  }
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/"}) {
    if (::access((std::string(dir) + "fusermount3").c_str(), X_OK) == 0) {
      return {};
    }
  }
  return "fusermount3 is not installed (package fuse3)";
}

#define SKIP_WITHOUT_FUSE()                                                                                  \
  do {                                                                                                       \
    if (const std::string why = fuse_missing(); !why.empty()) {                                              \
      MESSAGE("skipped: " << why);                                                                           \
      return;                                                                                                \
    }                                                                                                        \
  } while (false)

std::optional<std::string> mount_type(const std::filesystem::path& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::optional<std::string> type;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, field;
    fields >> id >> parent >> dev >> root >> point;
    if (point != path.string()) {
      continue;
    }
    while (fields >> field && field != "-") {
    }
    fields >> field;
    type = field;
  }
  return type;
}

bool is_mounted(const std::filesystem::path& path) { return mount_type(path).has_value(); }

template <typename F>
bool eventually(F condition, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// Unmounts `path` on destruction, however the test ended.
class UnmountGuard {
public:
  explicit UnmountGuard(std::filesystem::path path) : m_path(std::move(path)) {}
  ~UnmountGuard() {
    if (!is_mounted(m_path)) {
      return;
    }
    run_tool({"unmount", m_path.string()});
    if (is_mounted(m_path)) {
      const std::string command = "fusermount3 -uz '" + m_path.string() + "' 2>/dev/null";
      if (std::system(command.c_str()) != 0) {
        ::umount2(m_path.c_str(), MNT_DETACH);
      }
    }
  }
  UnmountGuard(const UnmountGuard&) = delete;
  UnmountGuard& operator=(const UnmountGuard&) = delete;

private:
  std::filesystem::path m_path;
};

struct Row {
  std::string source, role, view, keeper, capture, device, reason;
};

// Every input file in the view, by view path, from `list --json`.
std::map<std::string, Row> listed_view(const TmpDir& tmp) {
  const auto r = run_tool({"list", "--json", "--catalog", "cat"}, tmp.path());
  REQUIRE(r.status == 0);
  std::map<std::string, Row> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    Row row{json_field(line, "source"), json_field(line, "role"),    json_field(line, "view"),
            json_field(line, "keeper"), json_field(line, "capture"), json_field(line, "device"),
            json_field(line, "reason")};
    if (!row.view.empty()) {
      out.emplace(row.view, row);
    }
  }
  return out;
}

// Every regular file under `root`, as paths relative to it; a folder that vanishes during the
// walk (a new view swapped in) leaves "<changed>" in the set.
std::set<std::string> files_under(const std::filesystem::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      out.insert(it->path().lexically_relative(root).string());
    }
  }
  if (ec) {
    out.insert("<changed>");
  }
  return out;
}

// Every byte of `path`, read() from a descriptor opened with `flags` added to O_RDONLY.
std::string read_with(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  REQUIRE_MESSAGE(fd >= 0, path.string());
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_noatime(const std::filesystem::path& path) { return read_with(path, O_NOATIME); }

// Every byte of `path` as most programs read it: opened without O_NOATIME.
std::string read_plain(const std::filesystem::path& path) { return read_with(path, 0); }

// Every byte of `path` through a shared read-only mapping of it, opened without O_NOATIME.
std::string read_mapped(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE_MESSAGE(fd >= 0, path.string());
  struct stat st {};
  REQUIRE(::fstat(fd, &st) == 0);
  std::string out;
  if (st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    REQUIRE_MESSAGE(map != MAP_FAILED, path.string() << ": " << std::strerror(errno));
    out.assign(static_cast<const char*>(map), size);
    ::munmap(map, size);
  }
  ::close(fd);
  return out;
}

// The view path of the one listed file whose name contains `name`.
std::string view_of(const std::map<std::string, Row>& listed, std::string_view name) {
  std::string found;
  for (const auto& [view, row] : listed) {
    if (view.find(name) != std::string::npos) {
      found = view;
    }
  }
  REQUIRE_MESSAGE(!found.empty(), "no view file named like " << name);
  return found;
}

// `mount TMP/mnt --catalog TMP/cat -f` in a child process, its stderr (the log lines) in `log`
// or dropped; returns the child's pid.
pid_t mount_foreground(const TmpDir& tmp, const std::filesystem::path& log = {}) {
  const auto mnt = tmp / "mnt";
  const auto catalog = tmp / "cat";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    const int err = log.empty() ? null : ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null, 1);
    ::dup2(err, 2);
    ::execl(IPD_BINARY, IPD_BINARY, "mount", mnt.c_str(), "--catalog", catalog.c_str(), "-f",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Ctrl-C to a foreground mount: it exits 0.
void interrupt_foreground(pid_t pid) {
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

// How many pages of an open file's own page cache are cached (cachestat(2), Linux 6.5; the same
// number on every architecture), or nullopt where the call is missing.
std::optional<std::uint64_t> cached_pages(int fd) {
  struct {
    std::uint64_t offset = 0, length = 0; // 0: to the end
  } range;
  struct {
    std::uint64_t cache = 0, dirty = 0, writeback = 0, evicted = 0, recently_evicted = 0;
  } pages;
  if (::syscall(451, fd, &range, &pages, 0) != 0) {
    return std::nullopt;
  }
  return pages.cache;
}

std::string xattr(const std::filesystem::path& path, const char* name) {
  char buf[4096];
  const ssize_t n = ::getxattr(path.c_str(), name, buf, sizeof buf);
  return n < 0 ? std::string("<") + std::strerror(errno) + ">"
               : std::string(buf, static_cast<std::size_t>(n));
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

// A small library with every role: a HEIC keeper with its JPG copy, Live Photo movie and AAE;
// a JPG with a byte copy; media without a time; other files, one of them a few MB.
void make_library(const TmpDir& tmp) {
  const char* id = "3F2E1D0C-0000-4000-8000-00000000AAAA";
  const auto heic_exif = test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro", id);
  write_file(tmp / "in/a/IMG_0001.HEIC", test::make_heic(64, 48, heic_exif, 1));
  write_file(tmp / "in/a/IMG_0001.JPG", test::make_jpeg(64, 48, heic_exif, 1));
  test::MovieSpec movie;
  movie.creation_date = "2021-05-03T14:22:01-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  movie.content_id = id;
  write_file(tmp / "in/a/IMG_0001.MOV", test::make_mov(movie));
  write_file(tmp / "in/a/IMG_0001.AAE", "<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict/></plist>\n");
  const std::string jpeg = test::make_jpeg(48, 32, test::iphone_exif("2019:07:01 10:00:00", "iPhone 8"), 2);
  write_file(tmp / "in/b/IMG_0002.JPG", jpeg);
  write_file(tmp / "in/b/IMG_0002 (1).JPG", jpeg);
  write_file(tmp / "in/c/IMG_0003.JPG", test::make_jpeg(40, 30, {}, 3));
  write_file(tmp / "in/notes.txt", "not a photo\n");
  write_file(tmp / "in/big/movie-export.bin", random_bytes(3 * 1024 * 1024 + 12345, 4));
}

void index_library(const TmpDir& tmp) {
  const auto r = run_tool({"index", "in", "--catalog", "cat"}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
}

void mount(const TmpDir& tmp) {
  std::filesystem::create_directories(tmp / "mnt");
  // Absolute paths, so that server_pid finds the server by its command line.
  const auto r = run_tool({"mount", (tmp / "mnt").string(), "--catalog", (tmp / "cat").string()});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  REQUIRE(mount_type(tmp / "mnt") == "fuse.iphone-photo-dedup");
}

// A small file of /proc, or "" when it is gone.
std::string proc_file(const std::string& path) {
  std::string out;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return out;
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// False for a process that is gone or a zombie.
bool process_alive(const std::string& pid) {
  const std::string stat = proc_file("/proc/" + pid + "/stat");
  const auto state_at = stat.rfind(')');
  return state_at != std::string::npos && state_at + 2 < stat.size() && stat[state_at + 2] != 'Z';
}

bool process_gone(pid_t pid) { return !process_alive(std::to_string(pid)); }

// The live server process of a mount of `catalog` (its command line names both), or 0.
pid_t server_pid(const std::string& binary_name, const std::filesystem::path& catalog) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const std::string cmdline = proc_file("/proc/" + pid + "/cmdline");
    if (cmdline.find(binary_name + std::string(1, '\0') + "mount") != std::string::npos &&
        cmdline.find(std::string(1, '\0') + catalog.string()) != std::string::npos && process_alive(pid)) {
      return static_cast<pid_t>(std::stol(pid));
    }
  }
  return 0;
}

// Mounts the catalog of `tmp` on tmp/mnt; returns each file of the view as its path in the
// mount and the bytes its source holds.
std::vector<std::pair<std::string, std::string>> mounted_files(const TmpDir& tmp) {
  const auto listed = listed_view(tmp);
  mount(tmp);
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& [view, row] : listed) {
    files.emplace_back((tmp / "mnt" / view).string(), read_noatime(row.source));
  }
  return files;
}

} // namespace

TEST_CASE("mount: the snapshot of the view has folders in name order with stable inode numbers and follows "
          "changes") {
  auto entry = [](std::uint64_t size, std::int64_t mtime) {
    ViewEntry e;
    e.source = "/in/x";
    e.size = size;
    e.mtime_ns = mtime;
    return e;
  };
  ViewEntry readme;
  readme.content = "hello";
  readme.size = 5;
  auto before = ViewSnapshot::build({{"b/2021/x.JPG", entry(10, 300)},
                                     {"a/one.JPG", entry(20, 100)},
                                     {"README.txt", readme},
                                     {"../escape", entry(1, 1)},
                                     {"a//bad", entry(1, 1)},
                                     {"a/one.JPG/under-a-file", entry(1, 1)}},
                                    7);
  CHECK(before->generation() == 7);
  CHECK(before->file_count() == 3);
  CHECK(before->total_bytes() == 35);
  const auto& root = before->root();
  CHECK(root.ino == k_view_root_inode);
  REQUIRE(root.children.size() == 3);
  CHECK(before->node(root.children[0]).name() == "README.txt");
  CHECK(before->node(root.children[1]).name() == "a");
  CHECK(before->node(root.children[2]).name() == "b");
  CHECK(root.subdirs == 2);
  CHECK(root.mtime_ns == 300);                      // the newest file below
  CHECK(before->at("README.txt")->mtime_ns == 300); // a generated file: as new as the newest
  CHECK(before->at("b")->mtime_ns == 300);
  CHECK(before->at("a")->mtime_ns == 100);
  const auto* file = before->at("b/2021/x.JPG");
  REQUIRE(file);
  CHECK(file->ino == view_inode("b/2021/x.JPG", false));
  CHECK(before->find(file->ino) == file);
  CHECK(before->find(file->parent) == before->at("b/2021"));
  CHECK(before->at("a/one.JPG/under-a-file") == nullptr);
  CHECK(before->at("nothing") == nullptr);
  CHECK(view_inode("a", true) != view_inode("a", false));

  // The same path has the same number in the next snapshot; changes say what to forget.
  auto after = ViewSnapshot::build(
      {{"b/2021/x.JPG", entry(11, 300)}, {"c/new.JPG", entry(1, 50)}, {"README.txt", readme}}, 8);
  CHECK(after->at("b/2021/x.JPG")->ino == file->ino);
  const auto changes = view_changes(*before, *after);
  std::set<std::pair<std::uint64_t, std::string>> entries(changes.entries.begin(), changes.entries.end());
  CHECK(entries.count({before->at("a")->ino, "one.JPG"}) == 1);
  CHECK(entries.count({k_view_root_inode, "a"}) == 1);
  CHECK(entries.count({k_view_root_inode, "c"}) == 1);
  std::set<std::uint64_t> inodes(changes.inodes.begin(), changes.inodes.end());
  CHECK(inodes.count(file->ino) == 1);            // its size changed
  CHECK(inodes.count(k_view_root_inode) == 1);    // its listing changed
  CHECK(inodes.count(before->at("b")->ino) == 0); // unchanged
}

TEST_CASE("mount: the tree is list --json's view with the sources' bytes/sizes/times/xattrs") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  const auto listed = listed_view(tmp);
  REQUIRE(listed.size() == 9);
  UnmountGuard guard(tmp / "mnt");
  mount(tmp);
  const auto mnt = tmp / "mnt";

  std::set<std::string> expected{"README.txt"};
  for (const auto& [view, row] : listed) {
    expected.insert(view);
  }
  CHECK(files_under(mnt) == expected);

  std::set<std::string> roles;
  for (const auto& [view, row] : listed) {
    CAPTURE(view);
    const auto path = mnt / view;
    CHECK(read_noatime(path) == read_noatime(row.source));
    struct stat in {
    }, out{};
    REQUIRE(::lstat(row.source.c_str(), &in) == 0);
    REQUIRE(::stat(path.c_str(), &out) == 0);
    CHECK(out.st_size == in.st_size);
    CHECK(out.st_mtim.tv_sec == in.st_mtim.tv_sec);
    CHECK(out.st_mtim.tv_nsec == in.st_mtim.tv_nsec);
    CHECK((out.st_mode & 07777) == 0444);
    CHECK(S_ISREG(out.st_mode));
    CHECK(xattr(path, "user.ipd.role") == row.role);
    CHECK(xattr(path, "user.ipd.source") == row.source);
    CHECK(xattr(path, "user.ipd.reason") == row.reason);
    CHECK(xattr(path, "user.ipd.capture") == (row.capture.empty() ? "<No data available>" : row.capture));
    CHECK(xattr(path, "user.ipd.device") == (row.device.empty() ? "<No data available>" : row.device));
    CHECK(xattr(path, "user.ipd.keeper") == (row.keeper.empty() ? "<No data available>" : row.keeper));
    char names[4096];
    const ssize_t n = ::listxattr(path.c_str(), names, sizeof names);
    REQUIRE(n > 0);
    std::set<std::string> listed_names;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); i += std::strlen(names + i) + 1) {
      listed_names.insert(names + i);
    }
    std::set<std::string> present{"user.ipd.role", "user.ipd.source", "user.ipd.reason"};
    for (const auto& [name, value] :
         {std::pair{"keeper", row.keeper}, {"capture", row.capture}, {"device", row.device}}) {
      if (!value.empty()) {
        present.insert(std::string("user.ipd.") + name);
      }
    }
    CHECK(listed_names == present);
    roles.insert(row.role);
  }
  CHECK(roles == std::set<std::string>{"keeper", "companion", "duplicate", "unknown-time", "other"});

  // README.txt is at the root, with what each folder holds.
  const std::string readme = read_noatime(mnt / "README.txt");
  CHECK(readme.find("duplicates/") != std::string::npos);
  CHECK(xattr(mnt / "README.txt", "user.ipd.role") == "generated");
  struct stat st {};
  REQUIRE(::stat((mnt / "README.txt").c_str(), &st) == 0);
  CHECK(static_cast<std::size_t>(st.st_size) == readme.size());
  REQUIRE(::stat((mnt / "duplicates").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0555);
  CHECK(st.st_mtim.tv_sec > 0);

  // Reads at odd offsets and sizes, across the big file's chunks.
  const std::string big = view_of(listed, "movie-export.bin");
  const std::string want = read_noatime(listed.at(big).source);
  const int fd = ::open((mnt / big).c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  for (const off_t offset : {off_t(0), off_t(1), off_t(131071), off_t(1 << 20), off_t(want.size() - 10)}) {
    char buf[300000];
    const ssize_t n = ::pread(fd, buf, sizeof buf, offset);
    const auto expect = std::min<std::size_t>(sizeof buf, want.size() - static_cast<std::size_t>(offset));
    CHECK(n == static_cast<ssize_t>(expect));
    CHECK(std::string(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0))) ==
          want.substr(static_cast<std::size_t>(offset), expect));
  }
  char byte = 0;
  CHECK(::pread(fd, &byte, 1, static_cast<off_t>(want.size())) == 0);
  ::close(fd);

  const auto r = run_tool({"unmount", "mnt"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(!is_mounted(mnt));
  CHECK(std::filesystem::is_empty(mnt));
}

TEST_CASE("mount: every kind of write fails with EROFS and the inputs stay exactly as they were") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  test::age_atimes(tmp / "in");
  const auto before = test::snapshot_inputs(tmp / "in");
  const auto listed = listed_view(tmp);
  {
    UnmountGuard guard(tmp / "mnt");
    mount(tmp);
    const auto mnt = tmp / "mnt";
    const std::string file = (mnt / listed.begin()->first).string();
    const std::string dir = (mnt / "duplicates").string();
    const std::string root = mnt.string();
    auto refused = [](const char* what, int result) {
      CAPTURE(what);
      CHECK(result == -1);
      CHECK(errno == EROFS);
    };
    refused("open O_WRONLY", ::open(file.c_str(), O_WRONLY));
    refused("open O_RDWR", ::open(file.c_str(), O_RDWR));
    refused("open O_TRUNC", ::open(file.c_str(), O_RDONLY | O_TRUNC));
    refused("open O_APPEND", ::open(file.c_str(), O_WRONLY | O_APPEND));
    refused("creat", ::creat((root + "/new.txt").c_str(), 0644));
    refused("open O_CREAT", ::open((dir + "/new.txt").c_str(), O_WRONLY | O_CREAT, 0644));
    refused("mkdir", ::mkdir((root + "/new").c_str(), 0755));
    refused("mknod", ::mknod((root + "/fifo").c_str(), S_IFIFO | 0644, 0));
    refused("rename", ::rename(file.c_str(), (root + "/moved.JPG").c_str()));
    refused("rename dir", ::rename(dir.c_str(), (root + "/moved").c_str()));
    refused("unlink", ::unlink(file.c_str()));
    refused("unlink README", ::unlink((root + "/README.txt").c_str()));
    refused("rmdir", ::rmdir(dir.c_str()));
    refused("chmod", ::chmod(file.c_str(), 0666));
    refused("chmod dir", ::chmod(dir.c_str(), 0777));
    refused("chown", ::chown(file.c_str(), 1, 1));
    refused("truncate", ::truncate(file.c_str(), 0));
    refused("setxattr", ::setxattr(file.c_str(), "user.ipd.role", "keeper", 6, 0));
    refused("setxattr new", ::setxattr(file.c_str(), "user.other", "x", 1, 0));
    refused("removexattr", ::removexattr(file.c_str(), "user.ipd.role"));
    refused("utimensat", ::utimensat(AT_FDCWD, file.c_str(), nullptr, 0));
    refused("symlink", ::symlink("target", (root + "/link").c_str()));
    refused("link", ::link(file.c_str(), (root + "/hard").c_str()));
    const int fd = ::open(file.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    CHECK(::write(fd, "x", 1) == -1);
    CHECK(::ftruncate(fd, 0) == -1);
    ::close(fd);

    // A full read of every file, twice, as most programs read: without O_NOATIME, whole, then
    // through a mapping (with the kernel's passthrough, the kernel reads large sources itself).
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [view, row] : listed) {
        CAPTURE(view);
        const std::string& want = before.at(row.source).content;
        CHECK(read_plain(mnt / view) == want);
        CHECK(read_mapped(mnt / view) == want);
      }
    }
    const auto r = run_tool({"unmount", "mnt"}, tmp.path());
    CHECK(r.status == 0);
  }
  const auto changes = test::input_changes(before, test::snapshot_inputs(tmp / "in"));
  for (const auto& change : changes) {
    MESSAGE("input changed: " << change);
  }
  CHECK(changes.empty());
}

TEST_CASE("mount: a re-index while mounted shows added and removed files without a remount") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  mount(tmp);
  const auto mnt = tmp / "mnt";
  const auto first = listed_view(tmp);
  CHECK(files_under(mnt).size() == first.size() + 1);
  // Keep a folder listing and a file open across the change.
  std::string removed_view;
  for (const auto& [view, row] : first) {
    if (row.source.find("IMG_0003.JPG") != std::string::npos) {
      removed_view = view;
    }
  }
  REQUIRE(!removed_view.empty());
  const int held = ::open((mnt / removed_view).c_str(), O_RDONLY);
  REQUIRE(held >= 0);
  const std::string held_bytes = read_noatime(tmp / "in/c/IMG_0003.JPG");

  std::filesystem::remove(tmp / "in/c/IMG_0003.JPG");
  write_file(tmp / "in/d/IMG_0009.JPG",
             test::make_jpeg(40, 30, test::iphone_exif("2020:02:02 20:20:20", "iPhone 8"), 9));
  write_file(tmp / "in/more notes.txt", "another\n");
  index_library(tmp);
  const auto second = listed_view(tmp);
  std::set<std::string> expected{"README.txt"};
  for (const auto& [view, row] : second) {
    expected.insert(view);
  }
  CHECK(expected.count(removed_view) == 0);
  CHECK(eventually([&] { return files_under(mnt) == expected; }));
  CHECK(!std::filesystem::exists(mnt / removed_view));
  for (const auto& [view, row] : second) {
    if (row.source.find("IMG_0009.JPG") != std::string::npos ||
        row.source.find("more notes") != std::string::npos) {
      CAPTURE(view);
      CHECK(read_noatime(mnt / view) == read_noatime(row.source));
      CHECK(xattr(mnt / view, "user.ipd.source") == row.source);
    }
  }
  // The file held open reads on from its (now deleted) source.
  char buf[64];
  CHECK(::pread(held, buf, sizeof buf, 0) ==
        static_cast<ssize_t>(std::min<std::size_t>(64, held_bytes.size())));
  CHECK(std::string(buf, 4) == held_bytes.substr(0, 4));
  ::close(held);
}

TEST_CASE("mount: a decision shows in a running mount without a remount and so does forget") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  mount(tmp);
  const auto mnt = tmp / "mnt";
  const std::string dir = "Apple iPhone 12 Pro/2021/2021-05/";
  const std::string heic = dir + "20210503_142201_IMG_0001.HEIC";
  const std::string jpg = dir + "20210503_142201_IMG_0001.JPG";
  REQUIRE(std::filesystem::exists(mnt / heic));
  REQUIRE_FALSE(std::filesystem::exists(mnt / jpg));

  // The JPG named by its path in the mount: it becomes the keeper, in the mount within a second.
  auto r = run_tool(
      {"keep", (mnt / "duplicates" / dir / "20210503_142201_IMG_0001 (2).JPG").string(), "--catalog", "cat"},
      tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(
      eventually([&] { return std::filesystem::exists(mnt / jpg) && !std::filesystem::exists(mnt / heic); }));
  CHECK(read_noatime(mnt / jpg) == read_noatime(tmp / "in/a/IMG_0001.JPG"));
  CHECK(xattr(mnt / jpg, "user.ipd.role") == "keeper");
  CHECK(xattr(mnt / jpg, "user.ipd.reason").rfind("kept: your decision (keep, ", 0) == 0);
  CHECK(xattr(mnt / ("duplicates/" + dir + "20210503_142201_IMG_0001 (2).HEIC"), "user.ipd.reason")
            .find("kept: your decision (keep, ") != std::string::npos);
  CHECK(read_noatime(mnt / "README.txt").find("Your decisions (1)") != std::string::npos);

  r = run_tool({"forget", (tmp / "in/a/IMG_0001.JPG").string(), "--catalog", "cat"}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(
      eventually([&] { return std::filesystem::exists(mnt / heic) && !std::filesystem::exists(mnt / jpg); }));
  CHECK(read_noatime(mnt / "README.txt").find("Your decisions") == std::string::npos);
}

TEST_CASE("mount: eight concurrent readers over the whole tree get every byte right") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  for (unsigned i = 0; i < 6; ++i) {
    write_file(tmp / ("in/big/part" + std::to_string(i) + ".bin"), random_bytes((i + 1) * 700'001, 10 + i));
  }
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  const auto files = mounted_files(tmp);
  std::atomic<std::uint64_t> reads{0}, bytes{0}, errors{0};
  std::mutex mutex; // protects first_error
  std::string first_error;
  auto fail = [&](const std::string& what) {
    ++errors;
    std::lock_guard lock(mutex);
    if (first_error.empty()) {
      first_error = what;
    }
  };
  const auto end = Clock::now() + std::chrono::seconds(3);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<char> buf(1 << 20);
      for (std::size_t round = 0; Clock::now() < end; ++round) {
        for (std::size_t k = 0; k < files.size(); ++k) {
          const auto& [path, want] = files[(k + t + round) % files.size()];
          const int fd = ::open(path.c_str(), O_RDONLY);
          if (fd < 0) {
            fail(path + ": open: " + std::strerror(errno));
            continue;
          }
          // Every other round from the server rather than the kernel's cache.
          if ((round + k) % 2 == 0) {
            ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
          }
          // Whole file sequentially in a random chunk size, then a few random slices.
          const std::size_t chunk = 1 + rng() % buf.size();
          std::string got;
          for (ssize_t n; (n = ::read(fd, buf.data(), chunk)) > 0;) {
            got.append(buf.data(), static_cast<std::size_t>(n));
          }
          if (got != want) {
            fail(path + ": sequential read differs");
          }
          for (int s = 0; s < 4 && !want.empty(); ++s) {
            const std::size_t offset = rng() % want.size();
            const std::size_t size = 1 + rng() % std::min<std::size_t>(buf.size(), want.size() - offset);
            const ssize_t n = ::pread(fd, buf.data(), size, static_cast<off_t>(offset));
            if (n != static_cast<ssize_t>(size) || std::memcmp(buf.data(), want.data() + offset, size) != 0) {
              fail(path + ": pread differs");
            }
          }
          ::close(fd);
          ++reads;
          bytes += got.size();
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK_MESSAGE(errors == 0, first_error);
  CHECK(reads > 8 * files.size());
  MESSAGE(reads.load() << " files (" << bytes.load() / (1 << 20) << " MiB) read by 8 threads in 3 s");
}

TEST_CASE("mount: eight readers during re-indexes that add and remove files read every byte right") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  const auto files = mounted_files(tmp);
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> reads{0}, errors{0};
  std::mutex mutex; // protects first_error
  std::string first_error;
  std::vector<std::thread> readers;
  for (unsigned t = 0; t < 8; ++t) {
    readers.emplace_back([&, t] {
      for (std::size_t round = 0; !done; ++round) {
        const auto& [path, want] = files[(round + t) % files.size()];
        const int fd = ::open(path.c_str(), O_RDONLY);
        std::string got;
        if (fd >= 0) {
          ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
          char buf[65536];
          for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
            got.append(buf, static_cast<std::size_t>(n));
          }
          ::close(fd);
        }
        if (fd < 0 || got != want) {
          ++errors;
          std::lock_guard lock(mutex);
          if (first_error.empty()) {
            first_error = path + (fd < 0 ? std::string(": open: ") + std::strerror(errno) : ": bytes differ");
          }
        }
        ++reads;
      }
    });
  }
  // The files read stay as they are; others come and go, so every re-index writes a new plan.
  for (int i = 0; i < 6; ++i) {
    const auto extra = tmp / "in/extra" / ("IMG_" + std::to_string(100 + i) + ".JPG");
    write_file(extra, test::make_jpeg(40, 30, test::iphone_exif("2022:01:01 10:00:00", "iPhone 8"), 100 + i));
    index_library(tmp);
    std::filesystem::remove(extra);
    index_library(tmp);
  }
  done = true;
  for (auto& reader : readers) {
    reader.join();
  }
  CHECK_MESSAGE(errors == 0, first_error);
  CHECK(reads > files.size());
  MESSAGE(reads.load() << " files read by 8 threads during 12 re-indexes");
}

TEST_CASE("mount: SIGTERM and Ctrl-C unmount cleanly and -f stays in the foreground") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  const auto mnt = tmp / "mnt";
  std::filesystem::create_directories(mnt);

  // In the background: SIGTERM to the server unmounts.
  mount(tmp);
  const pid_t server = server_pid("iphone-photo-dedup", tmp / "cat");
  REQUIRE(server > 0);
  CHECK(std::filesystem::exists(mnt / "README.txt"));
  ::kill(server, SIGTERM);
  CHECK(eventually([&] { return !is_mounted(mnt); }));
  CHECK(eventually([&] { return process_gone(server); }));

  // In the foreground: the command runs until Ctrl-C (SIGINT), then exits 0, unmounted.
  const pid_t pid = mount_foreground(tmp);
  CHECK(eventually([&] { return is_mounted(mnt); }));
  CHECK(std::filesystem::exists(mnt / "README.txt"));
  int status = 0;
  CHECK(::waitpid(pid, &status, WNOHANG) == 0); // still serving
  interrupt_foreground(pid);
  CHECK(!is_mounted(mnt));
}

TEST_CASE("mount: a killed server leaves a mountpoint that unmount clears and the next mount works") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  const auto mnt = tmp / "mnt";
  mount(tmp);
  struct stat st {};
  REQUIRE(::stat((mnt / "README.txt").c_str(), &st) == 0);
  const ino_t readme_ino = st.st_ino;
  const pid_t server = server_pid("iphone-photo-dedup", tmp / "cat");
  REQUIRE(server > 0);
  ::kill(server, SIGKILL);
  REQUIRE(eventually([&] { return process_gone(server); }));
  CHECK(is_mounted(mnt));

  auto r = run_tool({"mount", "mnt", "--catalog", "cat"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("a mount whose server is gone is still there; run `iphone-photo-dedup unmount") !=
        std::string::npos);
  r = run_tool({"unmount", "mnt"}, tmp.path());
  CHECK_MESSAGE(r.status == 0, r.err);
  CHECK(!is_mounted(mnt));

  mount(tmp);
  REQUIRE(::stat((mnt / "README.txt").c_str(), &st) == 0);
  CHECK(st.st_ino == readme_ino); // inode numbers are stable across mounts
  CHECK(files_under(mnt).size() == listed_view(tmp).size() + 1);
  r = run_tool({"unmount", "mnt"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(!is_mounted(mnt));
}

TEST_CASE(
    "mount: clear errors for a missing catalog or a mountpoint that is not an empty folder or one in use") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  std::filesystem::create_directories(tmp / "mnt");
  auto expect = [&](const std::vector<std::string>& args, const std::string& message) {
    CAPTURE(args.front());
    CAPTURE(message);
    const auto r = run_tool(args, tmp.path());
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
  };
  expect({"mount", "mnt", "--catalog", "nope"}, "nope: not found (run `iphone-photo-dedup index");
  expect({"mount", "in", "--catalog", "cat"}, "in: not empty (mount the view on an empty folder)");
  expect({"mount", "in/notes.txt", "--catalog", "cat"}, "notes.txt: not a folder");
  expect({"mount", "missing", "--catalog", "cat"}, "missing: no such folder");
  expect({"mount", "mnt", "--catalog", "cat", "-o", "rw"}, "-o rw: the view is read-only");
  expect({"mount", "--catalog", "cat"}, "name one mountpoint");
  expect({"unmount", "mnt"}, "mnt: not mounted");
  expect({"unmount", "missing"}, "missing: no such folder, so nothing to unmount");
  expect({"unmount", "in/notes.txt"}, "notes.txt: not a folder, so not a mount");
  expect({"unmount", "/proc"}, "/proc: not a view mounted by iphone-photo-dedup (it is proc)");
  CHECK(!is_mounted(tmp / "mnt"));

  UnmountGuard guard(tmp / "mnt");
  mount(tmp);
  expect({"mount", "mnt", "--catalog", "cat"}, "mnt: already mounted (fuse.iphone-photo-dedup)");
  const auto r = run_tool({"unmount", "mnt"}, tmp.path());
  CHECK(r.status == 0);
}

TEST_CASE("mount: in the background it says where it mounted and how to unmount as a shell command") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  const auto mnt = tmp / "it's_a_view";
  std::filesystem::create_directories(mnt);
  UnmountGuard guard(mnt);
  const auto r = run_tool({"mount", "it's_a_view", "--catalog", "cat"}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string where = std::filesystem::canonical(tmp.path()).string();
  const std::string command = "iphone-photo-dedup unmount '" + where + "/it'\\''s_a_view'";
  CHECK(r.out == "mounted the view of " + where + "/cat at " + where +
                     "/it's_a_view; unmount with: " + command + "\n");
  CHECK(r.err.empty());
  REQUIRE(is_mounted(mnt));

  // The command as printed, run by a shell with the tool on its PATH, unmounts. (No space in the
  // name: mount_type here does not undo the \040 of /proc/self/mountinfo.)
  const std::string bin = std::filesystem::path(IPD_BINARY).parent_path().string();
  const std::string shell = "PATH='" + bin + "':\"$PATH\" " + command;
  CHECK(std::system(shell.c_str()) == 0);
  CHECK(!is_mounted(mnt));
}

TEST_CASE("mount: with the kernel's passthrough the reads of a source file do not come to the server") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  const auto listed = listed_view(tmp);
  const std::string big = view_of(listed, "movie-export.bin");
  const std::string want = read_noatime(listed.at(big).source);
  const auto mnt = tmp / "mnt";
  std::filesystem::create_directories(mnt);
  UnmountGuard guard(mnt);

  // In the foreground, its log lines (how reads are served) in a file.
  const auto log = tmp / "mount.log";
  const pid_t pid = mount_foreground(tmp, log);
  auto stop = [&] { interrupt_foreground(pid); };
  REQUIRE(eventually([&] { return is_mounted(mnt); }));

  // Two opens of the file at once (they share the inode's one backing file), read whole.
  const int a = ::open((mnt / big).c_str(), O_RDONLY | O_CLOEXEC);
  const int b = ::open((mnt / big).c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(a >= 0);
  REQUIRE(b >= 0);
  std::string got;
  std::vector<char> buf(1 << 20);
  for (ssize_t n; (n = ::read(a, buf.data(), buf.size())) > 0;) {
    got.append(buf.data(), static_cast<std::size_t>(n));
  }
  CHECK(got == want);
  const std::string said = proc_file(log.string());
  const auto pages = cached_pages(a);
  if (said.find("passed through to them by the kernel") == std::string::npos || !pages) {
    MESSAGE("skipped: no passthrough here (" << (pages ? said : "no cachestat(2)") << ")");
    ::close(a);
    ::close(b);
    stop();
    return;
  }
  // The bytes came from the source's pages, not through the server into the mount's own.
  CHECK(*pages == 0);
  ::close(a);
  // A mapping of a file passed through maps the source; the file closed and opened again reads on.
  CHECK(read_mapped(mnt / big) == want);
  const ssize_t n = ::pread(b, buf.data(), 4096, 1 << 20);
  CHECK(n == 4096);
  CHECK(std::string(buf.data(), 4096) == want.substr(1 << 20, 4096));
  ::close(b);
  CHECK(read_plain(mnt / big) == want);
  // A generated file is served by the server, through the mount's page cache (the control).
  const int readme = ::open((mnt / "README.txt").c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(readme >= 0);
  CHECK(::read(readme, buf.data(), buf.size()) > 0);
  CHECK(cached_pages(readme).value_or(0) > 0);
  ::close(readme);
  stop();
  CHECK(!is_mounted(mnt));
}

TEST_CASE("regression: fstat of a file open on the mount works after a new plan removed or moved it") {
  SKIP_WITHOUT_FUSE();
  TmpDir tmp;
  make_library(tmp);
  index_library(tmp);
  UnmountGuard guard(tmp / "mnt");
  mount(tmp);
  const auto mnt = tmp / "mnt";
  const auto first = listed_view(tmp);
  const std::string removed = view_of(first, "IMG_0003.JPG");
  const std::string moved = view_of(first, "notes.txt");
  const int held_removed = ::open((mnt / removed).c_str(), O_RDONLY);
  const int held_moved = ::open((mnt / moved).c_str(), O_RDONLY);
  REQUIRE(held_removed >= 0);
  REQUIRE(held_moved >= 0);
  const auto size_removed = std::filesystem::file_size(tmp / "in/c/IMG_0003.JPG");
  const auto size_moved = std::filesystem::file_size(tmp / "in/notes.txt");

  std::filesystem::remove(tmp / "in/c/IMG_0003.JPG");
  std::filesystem::rename(tmp / "in/notes.txt", tmp / "in/renamed notes.txt");
  index_library(tmp);
  REQUIRE(eventually(
      [&] { return !std::filesystem::exists(mnt / removed) && !std::filesystem::exists(mnt / moved); }));
  for (const auto& [fd, size] : {std::pair{held_removed, size_removed}, std::pair{held_moved, size_moved}}) {
    struct stat st {};
    CHECK(::fstat(fd, &st) == 0);
    CHECK(static_cast<std::uintmax_t>(st.st_size) == size);
    CHECK(S_ISREG(st.st_mode));
    char buf[4];
    CHECK(::pread(fd, buf, sizeof buf, 0) == 4);
    ::close(fd);
  }
}
