// Reading inputs without changing them: every input is opened O_RDONLY|O_NOATIME (falling
// back without O_NOATIME only where the kernel refuses it), never followed through a symlink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <time.h>

namespace ipd {

// Opens an input for reading. Returns the descriptor, or -1 with a clear message in `error`.
int open_input(const char* path, std::string& error);

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

} // namespace ipd
