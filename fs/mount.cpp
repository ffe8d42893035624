// The mount's life, in the order libfuse's passthrough_hp has it:
//
//   check the mountpoint ─► fork (unless -f) ─► child: open the catalog as a RocksDB secondary,
//   load a snapshot, fuse_session_new ─► signal handlers ─► fuse_session_mount ─► tell the
//   parent "ok" (it exits 0) ─► follower thread + fuse_session_loop_mt ─► unmount, clean up
//
// Nothing runs a thread before the fork. The follower catches up with the catalog every
// second and, when the view's generation changed, loads a new snapshot and swaps it in.
#include "mount.hpp"

#include "view_fs.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/view/snapshot.hpp"
#include "index/view/view.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <syslog.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace ipd::fs {

namespace {

constexpr std::string_view k_name = "iphone-photo-dedup";
constexpr std::string_view k_work_prefix = "iphone-photo-dedup-mount-";
constexpr auto k_poll_interval = std::chrono::seconds(1);

// Where log lines go: stderr in the foreground, syslog once in the background.
class Logger {
public:
  void to_syslog() {
    ::openlog(k_name.data(), LOG_PID, LOG_USER);
    m_syslog = true;
  }
  void operator()(const std::string& line) const {
    if (m_syslog) {
      ::syslog(LOG_NOTICE, "%s", line.c_str());
    } else {
      std::fprintf(stderr, "iphone-photo-dedup mount: %s\n", line.c_str());
    }
  }

private:
  bool m_syslog = false;
};

// The mountpoint as an absolute path with its folder resolved (the mountpoint itself may be a
// dead mount that cannot be resolved).
std::filesystem::path resolve(const std::filesystem::path& path) {
  std::filesystem::path abs = std::filesystem::absolute(path).lexically_normal();
  if (abs.filename().empty() && abs.has_parent_path() && abs != abs.root_path()) {
    abs = abs.parent_path();
  }
  std::error_code ec;
  const auto parent = std::filesystem::canonical(abs.parent_path(), ec);
  return ec || abs == abs.root_path() ? abs : parent / abs.filename();
}

// A mountinfo field with its octal escapes ("\040" for a space) undone.
std::string unescape(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() &&
        field.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

struct MountRecord {
  std::string device; // "major:minor"
  std::string type;
  std::string source;
};

// The topmost mount at `path` (resolved), from /proc/self/mountinfo.
std::optional<MountRecord> mount_at(const std::filesystem::path& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::optional<MountRecord> found;
  std::string line;
  while (std::getline(in, line)) {
    // id parent major:minor root MOUNTPOINT options [optional...] - TYPE SOURCE superoptions
    std::vector<std::string_view> fields;
    std::string_view rest = line;
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      fields.push_back(rest.substr(0, space));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    if (fields.size() < 7 || unescape(fields[4]) != path.string()) {
      continue;
    }
    for (std::size_t i = 6; i + 2 < fields.size(); ++i) {
      if (fields[i] == "-") {
        found = MountRecord{std::string(fields[2]), unescape(fields[i + 1]), unescape(fields[i + 2])};
        break;
      }
    }
  }
  return found;
}

void check_mountpoint(const std::filesystem::path& path) {
  const std::string shown = path.string();
  if (const auto mounted = mount_at(path)) {
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) != 0 && errno == ENOTCONN) {
      throw Fatal(shown + ": a mount whose server is gone is still there; run `iphone-photo-dedup unmount " +
                  shown + "` first");
    }
    throw Fatal(shown + ": already mounted (" + mounted->type + "); unmount it first" +
                (mounted->type == k_mount_type ? " with `iphone-photo-dedup unmount " + shown + "`" : ""));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) {
      throw Fatal(shown + ": no such folder (make an empty folder to mount the view on)");
    }
    throw Fatal(shown + ": " + errno_text(err));
  }
  if (!S_ISDIR(st.st_mode)) {
    throw Fatal(shown + ": not a folder (mount the view on an empty folder)");
  }
  std::error_code ec;
  if (!std::filesystem::is_empty(path, ec)) {
    throw Fatal(shown + ": not empty (mount the view on an empty folder)");
  }
}

void check_options(const std::string& options) {
  std::size_t start = 0;
  while (start <= options.size()) {
    const auto comma = options.find(',', start);
    const auto option = options.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (option == "rw") {
      throw Fatal("-o rw: the view is read-only");
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
}

// A private folder for the RocksDB secondary's own files, removed on destruction. Folders left
// by servers that were killed are removed first.
class WorkDir {
public:
  WorkDir() {
    std::error_code ec;
    const auto tmp = std::filesystem::temp_directory_path(ec);
    const auto base = ec ? std::filesystem::path("/tmp") : tmp;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
      const std::string name = entry.path().filename().string();
      struct stat st {};
      if (name.rfind(k_work_prefix, 0) != 0 || ::lstat(entry.path().c_str(), &st) != 0 ||
          !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
        continue;
      }
      const long pid = std::strtol(name.c_str() + k_work_prefix.size(), nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    }
    std::string templ =
        (base / (std::string(k_work_prefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
    if (!::mkdtemp(templ.data())) {
      throw Fatal("cannot make a temporary folder in " + base.string() + ": " + errno_text(errno));
    }
    m_path = templ;
  }
  ~WorkDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// Follows the catalog: every second, catch up with what an `index` run wrote and, when the
// view's generation changed, serve a new snapshot. A failure keeps the last snapshot served,
// is logged once, and reopens the catalog on the next round (an `index --rebuild` remakes it).
class Follower {
public:
  Follower(std::unique_ptr<Catalog> catalog, const WorkDir& work, ViewServer& server, const Logger& log)
      : m_catalog(std::move(catalog)), m_dir(m_catalog->dir()), m_work(work), m_server(server), m_log(log) {
    m_thread = std::thread([this] { run(); });
  }
  ~Follower() { stop(); }
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

private:
  void run() {
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, k_poll_interval, [this] { return m_stop; })) {
      lock.unlock();
      poll();
      lock.lock();
    }
  }

  void poll() {
    try {
      bool reload = false;
      if (!m_catalog) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(m_work.path(), ec)) {
          std::filesystem::remove_all(entry.path(), ec);
        }
        m_catalog = Catalog::open_secondary(m_dir, m_work.path());
        reload = true;
      }
      m_catalog->catch_up();
      if (reload || view_generation(*m_catalog) != m_server.current()->generation()) {
        auto next = ViewSnapshot::load(*m_catalog);
        const auto files = next->file_count();
        m_server.replace(std::move(next));
        m_log("the view changed: now " + std::to_string(files) + " files");
      }
      if (m_failing) {
        m_log("following the catalog again");
        m_failing = false;
      }
    } catch (const std::exception& e) {
      if (!m_failing) {
        m_log(std::string("cannot follow the catalog (still serving the last view; retrying): ") + e.what());
        m_failing = true;
      }
      m_catalog.reset();
    }
  }

  std::unique_ptr<Catalog> m_catalog; // used by the follower thread only
  std::filesystem::path m_dir;
  const WorkDir& m_work;
  ViewServer& m_server;
  const Logger& m_log;
  bool m_failing = false;
  std::mutex m_mutex; // protects m_stop
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_thread;
};

// The FUSE session and its mount, torn down in reverse on destruction.
class Session {
public:
  Session(const MountOptions& options, ViewServer& server) {
    std::string mount_options = "ro,fsname=" + std::string(k_name) + ",subtype=" + std::string(k_name);
    if (!options.fuse_options.empty()) {
      mount_options += "," + options.fuse_options;
    }
    std::vector<std::string> argv_storage{std::string(k_name), "-o", mount_options};
    std::vector<char*> argv;
    for (auto& arg : argv_storage) {
      argv.push_back(arg.data());
    }
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    m_session = fuse_session_new(&args, &view_operations(), sizeof(fuse_lowlevel_ops), &server);
    fuse_opt_free_args(&args);
    if (!m_session) {
      throw Fatal("cannot start the filesystem with options " + mount_options + " (see above)");
    }
    if (fuse_set_signal_handlers(m_session) != 0) {
      throw Fatal("cannot set signal handlers");
    }
    m_handlers = true;
    if (fuse_session_mount(m_session, options.mountpoint.c_str()) != 0) {
      throw Fatal(options.mountpoint.string() + ": cannot mount (see above)");
    }
    m_mounted = true;
    // The same descriptor, which fuse_session_unmount closes as before; INIT is not read yet.
    server.take_io(m_session);
  }
  ~Session() {
    if (m_mounted) {
      fuse_session_unmount(m_session);
    }
    if (m_handlers) {
      fuse_remove_signal_handlers(m_session);
    }
    if (m_session) {
      fuse_session_destroy(m_session);
    }
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  fuse_session* get() const { return m_session; }

  // Answers the kernel's first request (INIT), which is waiting since the mount, so that the
  // filesystem is set up before anyone is told it is ready.
  void answer_init() {
    fuse_buf buf{};
    int res = 0;
    do {
      res = fuse_session_receive_buf(m_session, &buf);
    } while (res == -EINTR);
    if (res > 0) {
      fuse_session_process_buf(m_session, &buf);
    }
    std::free(buf.mem);
  }

  // Serves requests on several threads until unmounted or signalled.
  void loop() {
    fuse_loop_config* config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_clone_fd(config, 0);
    fuse_loop_cfg_set_max_threads(config, 32);
    fuse_session_loop_mt(m_session, config);
    fuse_loop_cfg_destroy(config);
  }

private:
  fuse_session* m_session = nullptr;
  bool m_handlers = false;
  bool m_mounted = false;
};

// Raises the mount's read-ahead from the kernel's 128 KiB to 512 KiB, as mergerfs's
// `readahead` option does: sequential reads then reach the server in larger requests, which
// about doubles their throughput. Requests must still fit a pipe (pipe-max-size, 1 MiB by
// default, holds a request of up to twice the read-ahead) or libfuse cannot splice them.
// Needs root; otherwise the default stays.
void widen_readahead(const std::filesystem::path& mountpoint) {
  const auto mounted = mount_at(mountpoint);
  if (!mounted) {
    return;
  }
  long pipe_max = 0;
  std::ifstream("/proc/sys/fs/pipe-max-size") >> pipe_max;
  const long kib = std::min(512L, pipe_max / 1024 / 2);
  if (kib <= 128) {
    return;
  }
  std::ofstream("/sys/class/bdi/" + mounted->device + "/read_ahead_kb") << kib << '\n';
}

// Mounts and serves in this process. `ready_fd` (background only) gets "ok" once the mount is
// up, and is closed and set to -1; then this process leaves the terminal.
int serve(const MountOptions& options, int& ready_fd) {
  Logger log;
  WorkDir work;
  auto catalog = Catalog::open_secondary(options.catalog, work.path());
  require_complete_view(*catalog);
  ViewServer server(ViewSnapshot::load(*catalog), [&log](const std::string& line) { log(line); });
  Session session(options, server);
  server.set_session(session.get());
  session.answer_init();
  widen_readahead(options.mountpoint); // after INIT, which would lower it again
  if (ready_fd >= 0) {
    log.to_syslog();
    write_all(ready_fd, "ok");
    ::close(ready_fd);
    ready_fd = -1;
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
    (void)::chdir("/");
  } else {
    std::fprintf(stderr, "iphone-photo-dedup mount: serving the view of %s at %s (Ctrl-C unmounts)\n",
                 options.catalog.c_str(), options.mountpoint.c_str());
  }
  {
    Follower follower(std::move(catalog), work, server, log);
    session.loop();
  }
  server.set_session(nullptr);
  return 0;
}

// Runs fusermount3 with `args`; true when it succeeded.
bool fusermount(std::initializer_list<const char*> args) {
  std::vector<char*> argv{const_cast<char*>("fusermount3")}; // posix_spawn does not write them
  for (const char* arg : args) {
    argv.push_back(const_cast<char*>(arg));
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "fusermount3", nullptr, nullptr, argv.data(), environ) != 0) {
    throw Fatal("cannot run fusermount3 (is the fuse3 package installed?)");
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

int mount_view(const MountOptions& given) {
  MountOptions options = given;
  options.mountpoint = resolve(given.mountpoint);
  options.catalog = std::filesystem::absolute(given.catalog).lexically_normal();
  check_options(options.fuse_options);
  check_mountpoint(options.mountpoint);
  if (options.foreground) {
    int no_fd = -1;
    return serve(options, no_fd);
  }

  // The child mounts and serves; the parent waits for "ok" or an error and returns with it.
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    throw Fatal("cannot make a pipe: " + errno_text(errno));
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw Fatal("cannot fork: " + errno_text(errno));
  }
  if (pid == 0) {
    ::close(ready[0]);
    ::setsid();
    int status = 2;
    int ready_fd = ready[1];
    try {
      status = serve(options, ready_fd);
    } catch (const std::exception& e) {
      if (ready_fd >= 0) {
        write_all(ready_fd, e.what());
      } else {
        ::syslog(LOG_ERR, "%s", e.what());
      }
    }
    ::_exit(status);
  }
  ::close(ready[1]);
  std::string message;
  char buf[4096];
  for (ssize_t n; (n = ::read(ready[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      break;
    }
    message.append(buf, static_cast<std::size_t>(n));
  }
  ::close(ready[0]);
  if (message == "ok") {
    return 0;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  throw Fatal(message.empty() ? "the mount's server stopped before the mount was ready" : message);
}

void unmount_view(const std::filesystem::path& mountpoint) {
  const auto path = resolve(mountpoint);
  const std::string shown = path.string();
  const auto mounted = mount_at(path);
  if (!mounted) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      throw Fatal(shown + ": " +
                  (errno == ENOENT ? "no such folder, so nothing to unmount" : errno_text(errno)));
    }
    throw Fatal(shown + (S_ISDIR(st.st_mode) ? ": not mounted" : ": not a folder, so not a mount"));
  }
  if (mounted->type != k_mount_type) {
    throw Fatal(shown + ": not a view mounted by iphone-photo-dedup (it is " + mounted->type +
                "); leaving it alone");
  }
  const char* busy = "was busy (a file or folder in it is open): detached it; it goes away when the last one "
                     "is closed";
  if (::geteuid() == 0) {
    if (::umount2(path.c_str(), UMOUNT_NOFOLLOW) == 0) {
      return;
    }
    const int err = errno;
    if (err == EBUSY && ::umount2(path.c_str(), UMOUNT_NOFOLLOW | MNT_DETACH) == 0) {
      std::fprintf(stderr, "iphone-photo-dedup unmount: %s %s\n", shown.c_str(), busy);
      return;
    }
    throw Fatal(shown + ": cannot unmount: " + errno_text(err));
  }
  if (fusermount({"-u", "--", shown.c_str()})) {
    return;
  }
  if (fusermount({"-u", "-z", "--", shown.c_str()})) {
    std::fprintf(stderr, "iphone-photo-dedup unmount: %s %s\n", shown.c_str(), busy);
    return;
  }
  throw Fatal(shown + ": cannot unmount (see above)");
}

} // namespace ipd::fs
