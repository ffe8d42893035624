// iphone-photo-dedup explain PATH [--catalog DIR]
#include "command.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <cstdio>
#include <filesystem>

namespace ipd::tools {

namespace {

// The input path PATH names: as given, made absolute, or with its folder resolved.
std::optional<Placement> find_input(const Catalog& catalog, const std::string& path) {
  std::vector<std::string> candidates{path};
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec).lexically_normal();
  candidates.push_back(absolute.string());
  const auto parent = std::filesystem::canonical(absolute.parent_path(), ec);
  if (!ec) {
    candidates.push_back((parent / absolute.filename()).string());
  }
  for (const auto& candidate : candidates) {
    if (auto p = placement_of(catalog, candidate)) {
      return p;
    }
  }
  return std::nullopt;
}

// The view path PATH names: as given, or the shortest tail of it that is a view path (PATH
// may lie inside a mount or a materialized tree).
std::optional<std::string> find_view(const Catalog& catalog, std::string path) {
  while (!path.empty()) {
    while (path.rfind("./", 0) == 0) {
      path.erase(0, 2);
    }
    while (!path.empty() && path.front() == '/') {
      path.erase(0, 1);
    }
    if (view_entry(catalog, path)) {
      return path;
    }
    const auto slash = path.find('/');
    if (slash == std::string::npos) {
      break;
    }
    path.erase(0, slash + 1);
  }
  return std::nullopt;
}

} // namespace

int cmd_explain(Args args) {
  const auto dir = catalog_dir(args);
  const auto paths = args.finish();
  if (paths.size() != 1) {
    throw UsageError("name one file: an input path or a path in the view");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  require_complete_view(*catalog);
  std::optional<Placement> placement = find_input(*catalog, paths[0]);
  if (!placement) {
    if (const auto view = find_view(*catalog, paths[0])) {
      const auto entry = view_entry(*catalog, *view);
      if (entry->source.empty()) {
        std::printf("view:    %s\nwhat:    %s (generated)\n", view->c_str(), entry->reason.c_str());
        return k_exit_ok;
      }
      placement = placement_of(*catalog, entry->source);
    }
  }
  if (!placement) {
    throw Fatal(paths[0] + ": neither an input file nor a path in the view of this catalog");
  }
  const auto record = catalog->file(placement->source);
  std::printf("input:   %s\n", display_path(placement->source).c_str());
  std::printf("view:    %s\n",
              placement->view.empty() ? "(not in the view)" : display_path(placement->view).c_str());
  std::printf("role:    %s\n", std::string(role_name(placement->role)).c_str());
  if (!placement->keeper.empty()) {
    std::printf("keeper:  %s\n", display_path(placement->keeper).c_str());
  }
  if (record) {
    const std::string device = device_name(record->make, record->model);
    std::printf("capture: %s%s%s\n",
                record->capture.known() ? format_iso8601(record->capture).c_str() : "(none)",
                device.empty() ? "" : ", ", device.c_str());
    std::printf("file:    %s, %llu bytes%s%s\n", std::string(format_name(record->format)).c_str(),
                static_cast<unsigned long long>(record->size),
                record->error.empty() ? "" : ", error: ", record->error.c_str());
  }
  std::printf("reason:  %s\n", placement->reason.c_str());
  std::printf("rules:\n");
  std::string rules = placement->rules;
  for (std::size_t start = 0; start < rules.size();) {
    const auto end = rules.find('\n', start);
    std::printf("  - %s\n", rules.substr(start, end - start).c_str());
    start = end == std::string::npos ? rules.size() : end + 1;
  }
  if (placement->group != 0) {
    std::printf("capture group %u:\n", placement->group);
    for_each_placement(*catalog, [&](Placement&& member) {
      if (member.group == placement->group) {
        std::printf("  %-11s %s\n  %-11s   -> %s\n", std::string(role_name(member.role)).c_str(),
                    display_path(member.source).c_str(), "", display_path(member.view).c_str());
      }
    });
  }
  return k_exit_ok;
}

} // namespace ipd::tools
