// iphone-photo-dedup list [--catalog DIR] [--role R] [--json]
#include "command.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <cstdio>

namespace ipd::tools {

int cmd_list(Args args) {
  const auto dir = catalog_dir(args);
  const bool json = args.flag("--json");
  std::optional<Role> only;
  if (auto role = args.value("--role")) {
    only = parse_role(*role);
    if (!only) {
      throw UsageError("--role takes keeper, companion, raw-sidecar, duplicate, unknown-time or other");
    }
  }
  if (!args.finish().empty()) {
    throw UsageError("list takes no folders");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  require_complete_view(*catalog);
  catalog->for_each_file([&](FileRecord&& record) {
    const auto placement = placement_of(*catalog, record.path);
    if (only && (!placement || placement->role != *only)) {
      return;
    }
    if (json) {
      std::printf("%s\n", record_json(record, placement ? &*placement : nullptr).c_str());
      return;
    }
    const std::string role = placement ? std::string(role_name(placement->role)) : "-";
    const std::string view = placement && !placement->view.empty() ? display_path(placement->view) : "-";
    std::printf("%-12s %s\n%12s -> %s%s%s\n", role.c_str(), display_path(record.path).c_str(), "",
                view.c_str(), record.error.empty() ? "" : "  ! ", record.error.c_str());
  });
  return k_exit_ok;
}

} // namespace ipd::tools
