// Reading inputs without changing them: every input is opened O_RDONLY|O_NOATIME (falling
// back without O_NOATIME only where the kernel refuses it), never followed through a symlink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fcntl.h>
#include <span>
#include <string>
#include <string_view>
#include <time.h>

namespace ipd {

// Opens an input for reading. Returns the descriptor, or -1 with a clear message in `error`.
// A path longer than PATH_MAX opens too (through its folders, one at a time).
int open_input(const char* path, std::string& error);
// The same for `name` in the folder `dirfd` (AT_FDCWD: the working directory): a file read
// without changing it, its atime included.
int open_input_at(int dirfd, const char* name, std::string& error);

// The folder that holds the absolute `path`, opened O_PATH one component at a time, never
// following a symlink, so that depth is no limit (a path longer than PATH_MAX opens as any other).
// Returns the descriptor with the last component in `leaf`, or -1 with errno set.
int open_parent_folder(std::string_view path, std::string& leaf);

// The *at() call of a path that may be longer than PATH_MAX: `call(dirfd, name)` with the path
// as given (AT_FDCWD) when it is short enough, else with its parent folder opened component
// by component. Returns what `call` returns, or -1 with errno set when the folder cannot open.
template <typename Call> int at_any_depth(std::string_view path, Call&& call);

// A stat time in nanoseconds since the epoch.
std::int64_t timespec_ns(const timespec& ts);

// "Permission denied" etc. for an errno value.
std::string errno_text(int err);

// Writes all of `bytes` to `fd`, retrying short writes and EINTR. False (errno set) on error.
bool write_all(int fd, std::string_view bytes);

// A read-only private mapping of a whole file; empty for a zero-length file.
class MappedFile {
public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps `size` bytes of `fd`. Returns false with a message in `error` on failure.
  bool map(int fd, std::uint64_t size, std::string& error);
  std::span<const std::uint8_t> bytes() const { return {m_data, m_size}; }

private:
  const std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
};

// Closes a descriptor on scope exit.
class FdGuard {
public:
  explicit FdGuard(int fd) : m_fd(fd) {}
  ~FdGuard();
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

template <typename Call> int at_any_depth(std::string_view path, Call&& call) {
  constexpr std::size_t k_path_max = 4096;
  if (path.size() < k_path_max) {
    const std::string whole(path);
    return call(AT_FDCWD, whole.c_str());
  }
  std::string leaf;
  const int dirfd = open_parent_folder(path, leaf);
  if (dirfd < 0) {
    return -1;
  }
  FdGuard guard(dirfd);
  return call(dirfd, leaf.c_str());
}

} // namespace ipd
