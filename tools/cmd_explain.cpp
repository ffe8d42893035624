// iphone-photo-dedup explain PATH [--catalog DIR]
#include "command.hpp"
#include "lookup.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <cstdio>
#include <filesystem>

namespace ipd::tools {

int cmd_explain(Args args) {
  const auto dir = catalog_dir(args);
  const auto paths = args.finish();
  if (paths.size() != 1) {
    throw UsageError("name one file: an input path or a path in the view");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  require_complete_view(*catalog);
  std::string generated;
  const std::optional<Placement> placement = find_placement(*catalog, paths[0], &generated);
  if (!placement && !generated.empty()) {
    std::printf("view:    %s\nwhat:    %s (generated)\n", generated.c_str(),
                view_entry(*catalog, generated)->reason.c_str());
    return k_exit_ok;
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
    std::printf("capture: %s%s%s\n", describe_time(record->capture).c_str(), device.empty() ? "" : ", ",
                device.c_str());
    // The error in the tool's words, then the library's after a colon.
    const std::string error = record->error.empty()
                                  ? std::string()
                                  : (record->damaged ? ", damaged: " : ", error: ") + record->error +
                                        (record->error_detail.empty() ? "" : ": " + record->error_detail);
    std::printf("file:    %s, %llu bytes%s\n", std::string(format_name(record->format)).c_str(),
                static_cast<unsigned long long>(record->size), error.c_str());
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
