#include "index/view/snapshot.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/paths.hpp"

#include <algorithm>
#include <unordered_set>

namespace ipd {

namespace {

std::uint64_t mix(std::uint64_t x) { // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t usable(std::uint64_t ino) {
  while (ino == 0 || ino == k_view_root_inode) {
    ino = mix(ino + 0x9e3779b97f4a7c15ULL);
  }
  return ino;
}

} // namespace

std::uint64_t view_inode(std::string_view path, bool is_dir) {
  std::uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a, then mixed
  for (const char c : path) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  h = (h ^ (is_dir ? 'd' : 'f')) * 0x100000001b3ULL;
  return usable(mix(h));
}

std::string_view ViewSnapshot::Node::name() const { return leaf_of(path); }

std::shared_ptr<const ViewSnapshot> ViewSnapshot::load(const Catalog& catalog) {
  // The generation first: a plan written during the scan is then seen as a newer generation.
  const std::uint64_t generation = view_generation(catalog);
  std::vector<std::pair<std::string, ViewEntry>> entries;
  catalog.scan(Catalog::Table::view, "", [&](std::string_view key, std::string_view value) {
    ViewEntry entry;
    if (!decode(value, entry)) {
      throw Fatal("catalog " + catalog.dir().string() + ": undecodable view entry " + std::string(key) +
                  "; run `iphone-photo-dedup index --rebuild ROOT...`");
    }
    entries.emplace_back(std::string(key), std::move(entry));
    return true;
  });
  return build(std::move(entries), generation);
}

std::shared_ptr<const ViewSnapshot>
ViewSnapshot::build(std::vector<std::pair<std::string, ViewEntry>> entries, std::uint64_t generation) {
  std::shared_ptr<ViewSnapshot> snap(new ViewSnapshot());
  snap->m_generation = generation;
  // Path order makes the result (and any inode collision's resolution) independent of the input order.
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  std::vector<Node>& nodes = snap->m_nodes;
  std::vector<std::uint32_t> parent_of{0};
  std::unordered_map<std::string, std::uint32_t> index_of; // view path -> node index
  nodes.emplace_back();
  nodes[0].ino = k_view_root_inode;
  nodes[0].parent = k_view_root_inode;
  nodes[0].is_dir = true;
  index_of.emplace("", 0);
  std::unordered_set<std::uint64_t> used{k_view_root_inode};

  auto add = [&](std::string path, bool is_dir, std::uint32_t parent) {
    std::uint64_t ino = view_inode(path, is_dir);
    while (!used.insert(ino).second) { // a 64-bit collision: resolved in path order
      ino = usable(mix(ino));
    }
    const auto index = static_cast<std::uint32_t>(nodes.size());
    Node& node = nodes.emplace_back();
    node.ino = ino;
    node.parent = nodes[parent].ino;
    node.path = std::move(path);
    node.is_dir = is_dir;
    index_of.emplace(node.path, index);
    parent_of.push_back(parent);
    nodes[parent].children.push_back(index);
    return index;
  };

  for (auto& [path, entry] : entries) {
    if (!is_contained_path(path) || index_of.count(path)) {
      continue;
    }
    // Find or make every folder above it; a file in the way drops the entry.
    std::uint32_t parent = 0;
    bool blocked = false;
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      const std::string dir = path.substr(0, slash);
      const auto found = index_of.find(dir);
      if (found == index_of.end()) {
        parent = add(dir, true, parent);
      } else if (!nodes[found->second].is_dir) {
        blocked = true;
        break;
      } else {
        parent = found->second;
      }
    }
    if (blocked) {
      continue;
    }
    const std::uint32_t index = add(path, false, parent);
    Node& node = nodes[index];
    node.entry = std::move(entry);
    node.mtime_ns = node.entry.mtime_ns;
    ++snap->m_files;
    snap->m_bytes += node.entry.size;
  }

  // Children come after their parents: one backward pass carries the newest time upwards.
  for (std::size_t i = nodes.size(); i-- > 1;) {
    Node& parent = nodes[parent_of[i]];
    parent.mtime_ns = std::max(parent.mtime_ns, nodes[i].mtime_ns);
    if (nodes[i].is_dir) {
      ++parent.subdirs;
    }
  }
  for (Node& node : nodes) {
    if (!node.is_dir && node.entry.source.empty() && node.mtime_ns == 0) {
      node.mtime_ns = nodes[0].mtime_ns; // a generated file is as new as the newest file
    }
    std::sort(node.children.begin(), node.children.end(),
              [&](std::uint32_t a, std::uint32_t b) { return nodes[a].name() < nodes[b].name(); });
  }
  snap->m_by_ino.reserve(nodes.size());
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    snap->m_by_ino.emplace(nodes[i].ino, i);
  }
  return snap;
}

const ViewSnapshot::Node* ViewSnapshot::find(std::uint64_t ino) const {
  const auto found = m_by_ino.find(ino);
  return found == m_by_ino.end() ? nullptr : &m_nodes[found->second];
}

const ViewSnapshot::Node* ViewSnapshot::child(const Node& dir, std::string_view name) const {
  const auto it =
      std::lower_bound(dir.children.begin(), dir.children.end(), name,
                       [&](std::uint32_t i, std::string_view n) { return m_nodes[i].name() < n; });
  if (it == dir.children.end() || m_nodes[*it].name() != name) {
    return nullptr;
  }
  return &m_nodes[*it];
}

const ViewSnapshot::Node* ViewSnapshot::at(std::string_view path) const {
  const Node* node = &root();
  std::size_t start = 0;
  while (node && start < path.size()) {
    const auto slash = path.find('/', start);
    const auto part = path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
    node = node->is_dir ? child(*node, part) : nullptr;
    start = slash == std::string_view::npos ? path.size() : slash + 1;
  }
  return node;
}

ViewChanges view_changes(const ViewSnapshot& before, const ViewSnapshot& after) {
  ViewChanges changes;
  std::unordered_set<std::uint64_t> changed_dirs;
  auto same_node = [](const ViewSnapshot::Node* a, const ViewSnapshot::Node& b) {
    return a && a->path == b.path && a->is_dir == b.is_dir;
  };
  for (const auto& old : before.nodes()) {
    if (old.ino == k_view_root_inode) {
      continue;
    }
    const auto* now = after.find(old.ino);
    if (!same_node(now, old)) {
      changes.entries.emplace_back(old.parent, std::string(old.name()));
      changed_dirs.insert(old.parent);
    } else if (!old.is_dir && (now->entry != old.entry || now->mtime_ns != old.mtime_ns)) {
      changes.inodes.push_back(old.ino);
    }
  }
  for (const auto& now : after.nodes()) {
    if (now.ino != k_view_root_inode && !same_node(before.find(now.ino), now)) {
      changes.entries.emplace_back(now.parent, std::string(now.name()));
      changed_dirs.insert(now.parent);
    }
  }
  for (const auto& now : after.nodes()) {
    if (!now.is_dir) {
      continue;
    }
    const auto* old = before.find(now.ino);
    if (same_node(old, now) &&
        (changed_dirs.count(now.ino) || old->mtime_ns != now.mtime_ns || old->subdirs != now.subdirs)) {
      changes.inodes.push_back(now.ino);
    }
  }
  return changes;
}

} // namespace ipd
