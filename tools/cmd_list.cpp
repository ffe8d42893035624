// iphone-photo-dedup list [--catalog DIR] [--json]
#include "command.hpp"

#include "index/catalog.hpp"
#include "index/json.hpp"

#include <cstdio>

namespace ipd::tools {

int cmd_list(Args args) {
  const auto dir = catalog_dir(args);
  const bool json = args.flag("--json");
  if (!args.finish().empty()) {
    throw UsageError("list takes no folders");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  catalog->for_each_file([&](FileRecord&& record) {
    if (json) {
      std::printf("%s\n", record_json(record).c_str());
      return;
    }
    const std::string device = device_name(record.make, record.model);
    std::printf("%-7s %-5s %-29s %-28s %s%s%s\n", std::string(kind_name(record.kind)).c_str(),
                std::string(format_name(record.format)).c_str(),
                record.capture.known() ? format_iso8601(record.capture).c_str() : "-",
                device.empty() ? "-" : device.c_str(), display_path(record.path).c_str(),
                record.error.empty() ? "" : "  ! ", record.error.c_str());
  });
  return k_exit_ok;
}

} // namespace ipd::tools
