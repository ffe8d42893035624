#include "index/review/model.hpp"

#include "index/view/view.hpp"

#include <algorithm>

namespace ipd::review {

namespace {

bool is_month(std::string_view text) {
  return text.size() == 7 && text[4] == '-' &&
         std::all_of(text.begin(), text.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
}

// Every file with its placement, in path order: the files and placements tables are both keyed
// by input path, so one walk of each suffices.
std::vector<File> read_files(const Catalog& catalog) {
  std::vector<File> files;
  catalog.for_each_file([&](FileRecord&& record) {
    record.fingerprint.clear();
    record.sample.clear();
    files.push_back({std::move(record), std::nullopt});
  });
  std::size_t k = 0;
  for_each_placement(catalog, [&](Placement&& p) {
    while (k < files.size() && files[k].record.path < p.source) {
      ++k;
    }
    if (k < files.size() && files[k].record.path == p.source) {
      files[k].placement = std::move(p);
    }
  });
  return files;
}

void count(Model& m) {
  for (const File& f : m.files) {
    ++m.counts.files;
    m.counts.with_errors += f.record.error.empty() ? 0 : 1;
    if (!f.placement || f.placement->view.empty()) {
      ++m.counts.not_in_view;
    }
    if (f.placement) {
      ++m.counts.by_role[static_cast<std::size_t>(f.placement->role)];
    }
  }
}

// The role order of a capture's members: copies first, then what goes with the keeper.
int member_rank(Role role) {
  switch (role) {
  case Role::raw_sidecar: return 0;
  case Role::duplicate: return 1;
  default: return 2;
  }
}

// The captures with copies and the Live Photos, each on the shelf of its keeper.
void group_captures(Model& m) {
  std::map<std::string_view, std::vector<std::size_t>> members; // keeper path -> files
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const auto& p = m.files[i].placement;
    if (p && !p->keeper.empty() && p->keeper != p->source) {
      members[p->keeper].push_back(i);
    }
  }
  for (auto& [keeper_path, list] : members) {
    const std::size_t keeper = find_file(m, keeper_path);
    if (keeper == k_no_file || !m.files[keeper].placement) {
      continue;
    }
    std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return member_rank(m.files[a].placement->role) < member_rank(m.files[b].placement->role);
    });
    const Shelf shelf = shelf_of(m.files[keeper].placement->view);
    const bool has_copies = std::any_of(
        list.begin(), list.end(), [&](std::size_t i) { return member_rank(m.files[i].placement->role) < 2; });
    if (has_copies) {
      m.shelves[shelf].captures.push_back(m.captures.size());
      m.captures.push_back({keeper, list});
    }
    for (const std::size_t i : list) {
      if (m.files[i].placement->role == Role::companion && m.files[i].record.kind == Kind::movie &&
          m.files[keeper].record.kind == Kind::still) {
        m.shelves[shelf].live.push_back(m.live.size());
        m.live.push_back({keeper, i});
      }
    }
  }
}

// The capture a file is shown in: its keeper's path for a copy, else its own; empty for a file
// that is no longer an input.
std::string_view capture_of(const Model& m, std::size_t file) {
  if (file == k_no_file) {
    return {};
  }
  const File& f = m.files[file];
  const bool copy =
      f.placement && (f.placement->role == Role::duplicate || f.placement->role == Role::raw_sidecar);
  return copy && !f.placement->keeper.empty() ? std::string_view(f.placement->keeper)
                                              : std::string_view(f.record.path);
}

// How close a near miss came: its sample distance, else its whole-picture distance.
double closeness(const NearMiss& miss) {
  return miss.sample >= 0 ? miss.sample : miss.whole >= 0 ? miss.whole : 1e9;
}

// One item per pair of captures, however many of their copies the content check compared: the
// closest pair stands for them. A pair whose files ended in one capture after all is no miss.
void place_near_misses(Model& m, std::vector<NearMiss> misses) {
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> by_captures;
  for (NearMiss& miss : misses) {
    NearMissItem item{std::move(miss), k_no_file, k_no_file, 0};
    item.a = find_file(m, item.miss.a);
    item.b = find_file(m, item.miss.b);
    const std::string_view ca = capture_of(m, item.a);
    const std::string_view cb = capture_of(m, item.b);
    if (!ca.empty() && ca == cb) {
      continue;
    }
    using Key = std::pair<std::string_view, std::string_view>;
    const Key key = ca.empty() || cb.empty() ? Key{} : Key{std::min(ca, cb), std::max(ca, cb)};
    const auto it = key.first.empty() ? by_captures.end() : by_captures.find(key);
    if (it == by_captures.end()) {
      if (!key.first.empty()) {
        by_captures.emplace(key, m.near_misses.size());
      }
      m.near_misses.push_back(std::move(item));
      continue;
    }
    NearMissItem& shown = m.near_misses[it->second];
    item.more_pairs = shown.more_pairs + 1;
    if (closeness(item.miss) < closeness(shown.miss)) {
      shown = std::move(item);
    } else {
      ++shown.more_pairs;
    }
  }
  for (std::size_t k = 0; k < m.near_misses.size(); ++k) {
    const NearMissItem& n = m.near_misses[k];
    const std::size_t shown = n.a != k_no_file ? n.a : n.b;
    const Shelf shelf =
        shown != k_no_file && m.files[shown].placement ? shelf_of(m.files[shown].placement->view) : Shelf{};
    m.shelves[shelf].near_misses.push_back(k);
  }
}

void sort_lists(Model& m) {
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const File& f = m.files[i];
    if (!f.record.error.empty() || !f.placement || f.placement->view.empty()) {
      m.unreadable.push_back(i);
    }
    if (!f.placement) {
      continue;
    }
    if (f.placement->role == Role::unknown_time) {
      m.unknown_time.push_back(i);
    } else if (f.placement->role == Role::other) {
      m.other.push_back(i);
    }
  }
}

} // namespace

Shelf shelf_of(std::string_view view) {
  constexpr std::string_view k_duplicates = "duplicates/";
  if (view.substr(0, k_duplicates.size()) == k_duplicates) {
    view.remove_prefix(k_duplicates.size());
  }
  std::vector<std::string_view> parts;
  while (!view.empty()) {
    const auto slash = view.find('/');
    parts.push_back(view.substr(0, slash));
    view = slash == std::string_view::npos ? std::string_view{} : view.substr(slash + 1);
  }
  if (parts.empty()) {
    return {};
  }
  if (parts.size() >= 4 && is_month(parts[2])) {
    return {std::string(parts[0]), std::string(parts[2])};
  }
  return {std::string(parts[0]), ""};
}

std::size_t find_file(const Model& m, std::string_view path) {
  const auto it = std::lower_bound(m.files.begin(), m.files.end(), path,
                                   [](const File& f, std::string_view p) { return f.record.path < p; });
  return it != m.files.end() && it->record.path == path ? static_cast<std::size_t>(it - m.files.begin())
                                                        : k_no_file;
}

Model read_model(const Catalog& catalog) {
  Model m;
  m.files = read_files(catalog);
  count(m);
  group_captures(m);
  place_near_misses(m, near_misses(catalog));
  sort_lists(m);
  m.decisions = list_decisions(catalog);
  return m;
}

} // namespace ipd::review
