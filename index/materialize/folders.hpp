// The folders of OUTDIR that one task of the make pass writes into.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipd::materialize_detail {

// The folder being written and its ancestors, each opened once: entering a view path's folder
// makes (mkdirat) and opens (O_PATH|O_NOFOLLOW) only the components that differ from the last.
class Folders {
public:
  static constexpr int k_missing = -1; // dry run: the folder does not exist yet
  static constexpr int k_blocked = -2; // a file, a symlink or an error stands in the way

  Folders(int root, bool dry_run) : m_root(root), m_dry_run(dry_run) {}
  ~Folders() { leave(0); }
  Folders(const Folders&) = delete;
  Folders& operator=(const Folders&) = delete;

  // The descriptor of folder `dir` ("" for OUTDIR), or k_missing / k_blocked. When blocked,
  // block_path() and block_what() say by what, and block_is_conflict() whether it is a conflict.
  int enter(std::string_view dir);

  const std::string& block_path() const { return m_levels.back().block_path; }
  const std::string& block_what() const { return m_levels.back().block_what; }
  bool block_is_conflict() const { return m_levels.back().block_conflict; }

  // Folders made since the last call.
  std::vector<std::string> take_made() { return std::exchange(m_made, {}); }

private:
  struct Level {
    std::string name;
    int fd = k_missing;
    std::string block_path; // when blocked
    std::string block_what;
    bool block_conflict = false;
  };

  // Closes the levels below `depth`.
  void leave(std::size_t depth);
  // Enters folder `path` (its last component `name`) below the deepest level.
  void push(std::string path, std::string_view name);
  // Makes (unless a dry run) and opens folder `name` of `parent` into `level`.
  void open_level(Level& level, int parent, const std::string& path);
  static void block(Level& level, const std::string& path, std::string what, bool conflict);

  int m_root;
  bool m_dry_run;
  std::vector<Level> m_levels;
  std::vector<std::string> m_made;
};

} // namespace ipd::materialize_detail
