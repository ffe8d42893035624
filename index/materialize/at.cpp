#include "index/materialize/at.hpp"

#include "index/core/io.hpp"
#include "index/core/text.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ipd::materialize_detail {

namespace {

// create_file where the filesystem has unnamed files: fill the O_TMPFILE `fd`, then link it in.
int link_unnamed(int fd, int dirfd, const char* name, const std::function<int(int fd)>& fill,
                 struct stat& st) {
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

// create_file elsewhere: fill ".NAME.ipd-partial", then rename it to `name` without replacing.
int rename_partial(int dirfd, const char* name, mode_t mode, const std::function<int(int fd)>& fill,
                   struct stat& st) {
  std::string partial = ".";
  partial.append(name).append(".ipd-partial");
  int fd = ::openat(dirfd, partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
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

} // namespace

std::optional<std::string> read_at(int dirfd, const char* name) {
  std::string error;
  const int fd = open_input_at(dirfd, name, error);
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

int create_file(int dirfd, const char* name, mode_t mode, const std::function<int(int fd)>& fill,
                struct stat& st) {
  const int fd = ::openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd >= 0) {
    return link_unnamed(fd, dirfd, name, fill, st);
  }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return errno;
  }
  return rename_partial(dirfd, name, mode, fill, st);
}

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

} // namespace ipd::materialize_detail
