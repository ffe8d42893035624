#include "index/core/io.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace ipd {

int open_parent_folder(std::string_view path, std::string& leaf) {
  if (path.empty() || path.front() != '/') {
    errno = EINVAL;
    return -1;
  }
  int dirfd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      leaf = std::string(path.substr(start));
      return dirfd;
    }
    const std::string part(path.substr(start, slash - start));
    start = slash + 1;
    if (part.empty()) {
      continue;
    }
    const int next = ::openat(dirfd, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    ::close(dirfd);
    if (next < 0) {
      errno = err;
      return -1;
    }
    dirfd = next;
  }
}

namespace {

// `name` in `dirfd` opened for reading, O_NOATIME where the kernel allows it; -1 with errno set.
int open_noatime(int dirfd, const char* name) {
  constexpr int k_flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
  int fd = ::openat(dirfd, name, k_flags | O_NOATIME);
  // O_NOATIME is refused with EPERM on files the caller does not own (without CAP_FOWNER).
  if (fd < 0 && errno == EPERM) {
    fd = ::openat(dirfd, name, k_flags);
  }
  return fd;
}

// The descriptor, or -1 with the reason it could not be opened in `error`.
int opened_or_error(int fd, std::string& error) {
  if (fd < 0) {
    const int err = errno;
    error = err == ELOOP ? std::string("is a symbolic link") : "cannot open: " + errno_text(err);
  }
  return fd;
}

} // namespace

int open_input_at(int dirfd, const char* name, std::string& error) {
  return opened_or_error(open_noatime(dirfd, name), error);
}

int open_input(const char* path, std::string& error) {
  return opened_or_error(
      at_any_depth(path, [](int dirfd, const char* name) { return open_noatime(dirfd, name); }), error);
}

std::int64_t timespec_ns(const timespec& ts) { return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec; }

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message, which may or may not be buf.
  return strerror_r(err, buf, sizeof buf);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      if (n == 0) {
        errno = EIO;
      }
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

MappedFile::~MappedFile() {
  if (m_data) {
    ::munmap(const_cast<std::uint8_t*>(m_data), m_size);
  }
}

bool MappedFile::map(int fd, std::uint64_t size, std::string& error) {
  if (size == 0) {
    return true;
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    error = "cannot map: " + errno_text(errno);
    return false;
  }
  m_data = static_cast<const std::uint8_t*>(p);
  m_size = size;
  return true;
}

FdGuard::~FdGuard() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
}

} // namespace ipd
