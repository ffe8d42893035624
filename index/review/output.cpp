#include "index/review/output.hpp"

#include "index/core/io.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace ipd::review {

bool write_whole(const std::filesystem::path& path, std::string_view bytes, std::string& error) {
  const std::filesystem::path tmp = path.string() + ".tmp." + std::to_string(::gettid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write " + tmp.string() + ": " + errno_text(errno);
    return false;
  }
  const bool written = write_all(fd, bytes);
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path.string() + ": " + errno_text(written && closed ? errno : write_error);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

} // namespace ipd::review
