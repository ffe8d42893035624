// An immutable in-memory copy of the view, as the mount serves it: a tree of folders and files
// with stable inode numbers, read from the catalog in one pass. A new plan makes a new snapshot;
// a snapshot never changes, so a reader holding one never sees half a plan.
//
//   catalog view table            snapshot
//   "README.txt"           ──►    / (ino 1)
//   "Apple iPhone 8/2019/…"         ├─ Apple iPhone 8/ ─ 2019/ ─ 2019-07/ ─ 20190701_….JPG
//   "other/in/notes.txt"            ├─ README.txt
//                                   └─ other/ ─ in/ ─ notes.txt
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/view/view.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ipd {

constexpr std::uint64_t k_view_root_inode = 1; // FUSE_ROOT_ID

// The inode number of the file (or folder) at view path `path`: a 64-bit hash of the path and
// its type, so that the same path gets the same number in every snapshot and every mount, and
// a path that turns from a file into a folder gets a new one. Never 0 or k_view_root_inode.
std::uint64_t view_inode(std::string_view path, bool is_dir);

class ViewSnapshot {
public:
  struct Node {
    std::uint64_t ino = 0;
    std::uint64_t parent = 0; // the folder's inode (the root's is its own)
    std::string path;         // view path; "" for the root
    bool is_dir = false;
    ViewEntry entry;                     // files only
    std::int64_t mtime_ns = 0;           // a file's source mtime; a folder's newest file below it
    std::uint32_t subdirs = 0;           // folders: how many children are folders
    std::vector<std::uint32_t> children; // folders: node indices, in name order

    // The last path component ("" for the root).
    std::string_view name() const;
  };

  // Reads the view of `catalog` (one scan of its view table). A catalog without a plan gives
  // an empty root. Throws Fatal on an undecodable entry.
  static std::shared_ptr<const ViewSnapshot> load(const Catalog& catalog);
  // Builds a snapshot from (view path, entry) pairs in any order. Entries whose path is empty,
  // absolute, has empty, "." or ".." components, or runs through a file are left out.
  static std::shared_ptr<const ViewSnapshot> build(std::vector<std::pair<std::string, ViewEntry>> entries,
                                                   std::uint64_t generation);

  const Node& root() const { return m_nodes.front(); }
  // The node with inode number `ino`, or nullptr.
  const Node* find(std::uint64_t ino) const;
  // The child `name` of folder `dir`, or nullptr.
  const Node* child(const Node& dir, std::string_view name) const;
  // The node at a view path ("" for the root), or nullptr.
  const Node* at(std::string_view path) const;
  const Node& node(std::uint32_t index) const { return m_nodes[index]; }
  const std::vector<Node>& nodes() const { return m_nodes; }

  std::uint64_t generation() const { return m_generation; } // view_generation() when loaded
  std::uint64_t file_count() const { return m_files; }
  std::uint64_t total_bytes() const { return m_bytes; }

private:
  ViewSnapshot() = default;
  std::vector<Node> m_nodes; // [0] is the root; a parent comes before its children
  std::unordered_map<std::uint64_t, std::uint32_t> m_by_ino;
  std::uint64_t m_generation = 0;
  std::uint64_t m_files = 0;
  std::uint64_t m_bytes = 0;
};

// What a cache of `before` (a kernel's dentries and inodes) must forget to show `after`.
struct ViewChanges {
  // (folder inode, name) of every name that is gone, or now names something else.
  std::vector<std::pair<std::uint64_t, std::string>> entries;
  // Inodes in both whose attributes, contents or listings changed.
  std::vector<std::uint64_t> inodes;
};
ViewChanges view_changes(const ViewSnapshot& before, const ViewSnapshot& after);

} // namespace ipd
