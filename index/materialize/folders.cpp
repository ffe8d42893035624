#include "index/materialize/folders.hpp"

#include "index/core/io.hpp"
#include "index/materialize/at.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipd::materialize_detail {

int Folders::enter(std::string_view dir) {
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

void Folders::leave(std::size_t depth) {
  while (m_levels.size() > depth) {
    if (m_levels.back().fd >= 0) {
      ::close(m_levels.back().fd);
    }
    m_levels.pop_back();
  }
}

void Folders::push(std::string path, std::string_view name) {
  Level level;
  level.name = std::string(name);
  const int parent = m_levels.empty() ? m_root : m_levels.back().fd;
  if (parent == k_blocked) {
    level.fd = k_blocked;
    level.block_path = m_levels.back().block_path;
    level.block_what = m_levels.back().block_what;
    level.block_conflict = m_levels.back().block_conflict;
  } else if (parent == k_missing) {
    level.fd = k_missing;
  } else {
    open_level(level, parent, path);
  }
  m_levels.push_back(std::move(level));
}

void Folders::open_level(Level& level, int parent, const std::string& path) {
  const char* name = level.name.c_str();
  if (!m_dry_run) {
    if (::mkdirat(parent, name, 0777) == 0) {
      m_made.push_back(path);
    } else if (errno != EEXIST) {
      block(level, path, "cannot make folder: " + errno_text(errno), false);
      return;
    }
  }
  level.fd = ::openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (level.fd >= 0) {
    return;
  }
  const int err = errno;
  struct stat st {};
  if (err == ENOENT && m_dry_run) {
    level.fd = k_missing;
  } else if ((err == ENOTDIR || err == ELOOP) && ::fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    block(level, path, describe(parent, name, st) + " where a folder of the view goes", true);
  } else {
    block(level, path, "cannot open folder: " + errno_text(err), false);
  }
}

void Folders::block(Level& level, const std::string& path, std::string what, bool conflict) {
  level.fd = k_blocked;
  level.block_path = path;
  level.block_what = std::move(what);
  level.block_conflict = conflict;
}

} // namespace ipd::materialize_detail
