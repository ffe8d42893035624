#include "lookup.hpp"

#include "index/view/view.hpp"

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

std::optional<Placement> find_placement(const Catalog& catalog, const std::string& path,
                                        std::string* generated) {
  if (auto placement = find_input(catalog, path)) {
    return placement;
  }
  const auto view = find_view(catalog, path);
  if (!view) {
    return std::nullopt;
  }
  const auto entry = view_entry(catalog, *view);
  if (entry->source.empty()) {
    if (generated) {
      *generated = *view;
    }
    return std::nullopt;
  }
  return placement_of(catalog, entry->source);
}

} // namespace ipd::tools
