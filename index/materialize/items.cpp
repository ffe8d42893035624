#include "index/materialize/items.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/materialize/materialize.hpp"
#include "index/materialize/run.hpp"
#include "index/view/view.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <tbb/task_group.h>

namespace ipd::materialize_detail {

namespace {

constexpr std::size_t k_stat_chunk = 512; // items per lstat task

} // namespace

std::string_view Strings::keep(std::string_view text) {
  if (m_blocks.empty() || m_blocks.back().capacity() - m_blocks.back().size() < text.size() + 1) {
    m_blocks.emplace_back();
    m_blocks.back().reserve(std::max<std::size_t>(std::size_t(1) << 20, text.size() + 1));
  }
  std::string& block = m_blocks.back(); // appended within its capacity: never moves
  const std::size_t at = block.size();
  block.append(text);
  block.push_back('\0');
  return std::string_view(block.data() + at, text.size());
}

bool safe_path(std::string_view path) {
  return is_contained_path(path) && !is_manifest_name(path.substr(0, path.find('/')));
}

bool stat_input(Item& item) {
  struct stat st {};
  if (item.generated) {
    return false;
  }
  if (item.source.empty() || item.source.front() != '/') {
    item.src_err = EINVAL;
  } else if (at_any_depth(item.source, [&](int dirfd, const char* name) {
               return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
             }) != 0) {
    item.src_err = errno;
  } else if (!S_ISREG(st.st_mode)) {
    item.src_err = ENODATA;
  } else {
    item.src = {st.st_dev, st.st_ino, std::uint64_t(st.st_size), st.st_mtim, st.st_mode};
    return item.src.size != item.size || timespec_ns(item.src.mtime) != item.mtime_ns;
  }
  return false;
}

std::string input_problem(const Item& item) {
  if (item.src_err == ENOENT) {
    return "its input " + display_path(item.source) + " is gone since the last index (re-index)";
  }
  if (item.src_err == ENODATA) {
    return "its input " + display_path(item.source) + " is no longer a regular file (re-index)";
  }
  if (item.src_err == EINVAL) {
    return "its input path is not absolute: " + display_path(item.source);
  }
  return "cannot stat its input " + display_path(item.source) + ": " + errno_text(item.src_err);
}

bool in_view(const std::deque<Item>& items, std::string_view path) {
  const auto it = std::lower_bound(items.begin(), items.end(), path,
                                   [](const Item& item, std::string_view p) { return item.path < p; });
  return it != items.end() && it->path == path;
}

// ---- passes 1 and 2 of a run ------------------------------------------------------------------

// The view in key order, and each input's lstat, overlapped; then the folders of the view.
void Run::read_view() {
  require_complete_view(m_catalog);
  if (!read_items()) {
    throw Fatal("the catalog " + m_catalog.dir().string() + " has no view yet: run index first");
  }
  m_report.files = m_items.size() + m_report.errors.size();
  collect_view_dirs();
}

// Reads the view into m_items; every chunk of items is stat'ed by other threads while the next
// is read. True when README.txt is among them.
bool Run::read_items() {
  bool readme = false;
  ViewEntry entry; // its buffers reused from one entry to the next
  tbb::task_group stats;
  std::vector<Item*> chunk; // deque elements stay where they are as it grows
  const auto stat_chunk = [&] {
    stats.run([items = std::move(chunk)] {
      for (Item* item : items) {
        item->changed = stat_input(*item);
      }
    });
    chunk.clear();
  };
  const auto read = [&](std::string_view key, std::string_view value) {
    if (Item* item = take_entry(key, value, entry)) {
      readme = readme || key == k_readme_name;
      chunk.push_back(item);
      if (chunk.size() == k_stat_chunk) {
        stat_chunk();
      }
    }
    return true;
  };
  try {
    m_catalog.scan(Catalog::Table::view, "", read);
  } catch (...) {
    stats.wait(); // the tasks use the items
    throw;
  }
  stat_chunk();
  stats.wait();
  return readme;
}

// The view entry `key` as a new item, or nullptr (and an error) when it cannot be written.
Item* Run::take_entry(std::string_view key, std::string_view value, ViewEntry& entry) {
  if (!decode(value, entry)) {
    m_report.errors.push_back({std::string(key), "undecodable view entry (re-index)"});
    return nullptr;
  }
  if (!safe_path(key)) {
    m_report.errors.push_back({std::string(key), "unsafe view path: not written"});
    return nullptr;
  }
  Item item;
  item.path = m_strings.keep(key);
  item.generated = entry.source.empty();
  item.source = m_strings.keep(entry.source);
  item.content = item.generated ? m_strings.keep(entry.content) : std::string_view();
  item.size = entry.size;
  item.mtime_ns = entry.mtime_ns;
  m_items.push_back(std::move(item));
  return &m_items.back();
}

// Every folder of the view, ancestors included.
void Run::collect_view_dirs() {
  std::string_view last_parent;
  for (const auto& item : m_items) {
    if (parent_of(item.path) == last_parent) {
      continue;
    }
    last_parent = parent_of(item.path);
    for (std::string_view dir = last_parent; !dir.empty(); dir = parent_of(dir)) {
      if (!m_view_dirs.insert(std::string(dir)).second) {
        break;
      }
    }
  }
}

// The inputs changed since the last index, as notes.
void Run::note_changed_inputs() {
  for (std::size_t i = 0; i < m_items.size(); ++i) {
    if (m_items[i].changed) {
      m_report.notes.push_back(
          {std::string(m_items[i].path), "its input " + display_path(m_items[i].source) +
                                             " changed since the last index (re-index to place it anew)"});
    }
  }
}

} // namespace ipd::materialize_detail
