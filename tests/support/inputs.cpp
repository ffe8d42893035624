#include "inputs.hpp"

#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace ipd::test {

namespace {

template <typename F> void for_each_regular(const std::filesystem::path& root, F f) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(
           root, std::filesystem::directory_options::skip_permission_denied, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) {
      f(it->path());
    }
  }
}

std::int64_t ns(const timespec& ts) { return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec; }

} // namespace

std::map<std::string, FileState> snapshot_inputs(const std::filesystem::path& root) {
  std::map<std::string, FileState> out;
  for_each_regular(root, [&](const std::filesystem::path& path) {
    FileState state;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      throw std::runtime_error("cannot stat " + path.string());
    }
    state.mtime_ns = ns(st.st_mtim);
    state.atime_ns = ns(st.st_atim);
    state.ino = st.st_ino;
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOATIME | O_CLOEXEC);
    if (fd >= 0) {
      char buf[65536];
      ssize_t n = 0;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        state.content.append(buf, static_cast<std::size_t>(n));
      }
      ::close(fd);
    }
    out[path.string()] = std::move(state);
  });
  return out;
}

std::vector<std::string> input_changes(const std::map<std::string, FileState>& before,
                                       const std::map<std::string, FileState>& after) {
  std::vector<std::string> out;
  for (const auto& [path, state] : before) {
    const auto it = after.find(path);
    if (it == after.end()) {
      out.push_back(path + ": gone");
    } else if (!(it->second == state)) {
      out.push_back(path + (it->second.content != state.content     ? ": content"
                            : it->second.mtime_ns != state.mtime_ns ? ": mtime"
                            : it->second.atime_ns != state.atime_ns ? ": atime"
                                                                    : ": inode"));
    }
  }
  for (const auto& [path, state] : after) {
    if (!before.count(path)) {
      out.push_back(path + ": new");
    }
  }
  return out;
}

void age_atimes(const std::filesystem::path& root) {
  for_each_regular(root, [&](const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      return;
    }
    timespec times[2];
    times[0].tv_sec = st.st_mtim.tv_sec - 3 * 86400;
    times[0].tv_nsec = 0;
    times[1] = st.st_mtim;
    ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  });
}

} // namespace ipd::test
