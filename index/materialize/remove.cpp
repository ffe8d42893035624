// What left the view: the files a run made earlier that the view no longer holds (pass 4), and
// the folders it made that are now empty (pass 6). Nothing is removed that is not what the
// manifest says was made there, nor the last copy of an input that is gone.
#include "index/core/io.hpp"
#include "index/core/text.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/run.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <iterator>
#include <unistd.h>

namespace ipd::materialize_detail {

// Pass 4: files it made earlier that are no longer in the view.
void Run::remove_left() {
  for (auto it = m_manifest.begin(); it != m_manifest.end();) {
    const bool goes = it->second.kind != MadeKind::dir && !in_view(m_items, it->first) &&
                      remove_one(it->first, it->second) == Entry::goes;
    it = goes ? m_manifest.erase(it) : std::next(it);
  }
}

// Removes `path`, made earlier as `m` and no longer in the view, when it still holds that and
// its data survives elsewhere. Says whether its manifest entry goes.
Run::Entry Run::remove_one(const std::string& path, const Made& m) {
  std::string leaf;
  const int parent = open_parent(m_out, path, leaf);
  FdGuard guard(parent);
  struct stat st {};
  if (parent < 0 || ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !matches(m, st, parent, leaf.c_str())) {
    return Entry::goes; // gone, or no longer what it made: not its to remove
  }
  if (!survives(m, st)) {
    m_report.kept.push_back({path, "left the view, but its input " + display_path(m.source) +
                                       " is gone and this is the last copy: kept"});
    return Entry::stays;
  }
  if (m_options.dry_run) {
    m_report.planned.push_back({path, "remove"});
    ++m_report.removed;
    return Entry::stays;
  }
  if (::unlinkat(parent, leaf.c_str(), 0) != 0) {
    m_report.errors.push_back({path, "cannot remove (it left the view): " + errno_text(errno)});
    return Entry::stays;
  }
  ++m_report.removed;
  return Entry::goes;
}

// Pass 6: folders it made that no longer hold anything of the view, deepest first.
void Run::remove_empty_folders() {
  if (m_options.dry_run) {
    return;
  }
  for (const auto& dir : left_folders()) {
    std::string leaf;
    const int parent = open_parent(m_out, dir, leaf);
    FdGuard guard(parent);
    if (parent < 0) {
      m_manifest.erase(dir);
      continue;
    }
    if (::unlinkat(parent, leaf.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT || errno == ENOTDIR) {
      m_manifest.erase(dir);
    }
  }
}

// The folders it made that are not folders of the view, deepest first.
std::vector<std::string> Run::left_folders() const {
  std::vector<std::string> dirs;
  for (const auto& [path, m] : m_manifest) {
    if (m.kind == MadeKind::dir && !m_view_dirs.count(path)) {
      dirs.push_back(path);
    }
  }
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
    const auto depth = [](const std::string& s) { return std::count(s.begin(), s.end(), '/'); };
    return depth(a) != depth(b) ? depth(a) > depth(b) : a < b;
  });
  return dirs;
}

} // namespace ipd::materialize_detail
