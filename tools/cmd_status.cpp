// iphone-photo-dedup status [--catalog DIR] [--json]
#include "command.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <cstdio>
#include <filesystem>
#include <map>

namespace ipd::tools {

namespace {

void print_counts(const char* title, const std::map<std::string, std::uint64_t>& counts) {
  std::printf("%s:\n", title);
  for (const auto& [name, count] : counts) {
    std::printf("  %8llu  %s\n", static_cast<unsigned long long>(count), name.c_str());
  }
}

std::string json_counts(const std::map<std::string, std::uint64_t>& counts) {
  std::string out = "{";
  for (const auto& [name, count] : counts) {
    out += out.size() > 1 ? ", " : "";
    out += json_string(name) + ": " + std::to_string(count);
  }
  return out + "}";
}

} // namespace

int cmd_status(Args args) {
  const auto dir = catalog_dir(args);
  const bool json = args.flag("--json");
  if (!args.finish().empty()) {
    throw UsageError("status takes no folders");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  std::map<std::string, std::uint64_t> roles, kinds, formats, devices;
  std::vector<FileRecord> errors;
  std::vector<Placement> not_in_view; // symlinks, FIFOs, sockets, devices, unreadable folders
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t no_time = 0;
  catalog->for_each_file([&](FileRecord&& record) {
    ++files;
    bytes += record.size;
    ++kinds[std::string(kind_name(record.kind))];
    if (auto placement = placement_of(*catalog, record.path)) {
      ++roles[std::string(role_name(placement->role))];
      if (placement->view.empty()) {
        not_in_view.push_back(std::move(*placement));
      }
    }
    if (record.kind == Kind::still || record.kind == Kind::movie || record.kind == Kind::sidecar) {
      ++formats[std::string(format_name(record.format))];
    }
    if (record.kind == Kind::still || record.kind == Kind::movie) {
      const std::string device = device_name(record.make, record.model);
      ++devices[device.empty() ? std::string(k_unknown_device) : device];
      no_time += record.capture.known() ? 0 : 1;
    }
    if (!record.error.empty()) {
      errors.push_back(std::move(record));
    }
  });
  const std::string same_fs = catalog->meta(meta_key::same_filesystem).value_or("1");
  const std::vector<std::string> roots = catalog_roots(*catalog);
  const auto present = [](const std::string& root) {
    std::error_code ec;
    return std::filesystem::is_directory(root, ec);
  };

  if (json) {
    std::string out = "{\"files\": " + std::to_string(files) + ", \"bytes\": " + std::to_string(bytes) +
                      ", \"roles\": " + json_counts(roles) + ", \"kinds\": " + json_counts(kinds) +
                      ", \"formats\": " + json_counts(formats) + ", \"devices\": " + json_counts(devices) +
                      ", \"media_without_time\": " + std::to_string(no_time) +
                      ", \"same_filesystem\": " + (same_fs == "1" ? "true" : "false") + ", \"roots\": [";
    for (std::size_t i = 0; i < roots.size(); ++i) {
      out += (i ? ", " : "") + std::string("{\"path\": ") + json_string(roots[i]) +
             ", \"present\": " + (present(roots[i]) ? "true" : "false") + "}";
    }
    out += "], \"errors\": [";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      out += (i ? ", " : "") + std::string("{\"source\": ") + json_string(errors[i].path) +
             ", \"error\": " + json_string(errors[i].error) + "}";
    }
    out += "], \"not_in_view\": [";
    for (std::size_t i = 0; i < not_in_view.size(); ++i) {
      out += (i ? ", " : "") + std::string("{\"source\": ") + json_string(not_in_view[i].source) +
             ", \"reason\": " + json_string(not_in_view[i].reason) + "}";
    }
    std::printf("%s]}\n", out.c_str());
    return k_exit_ok;
  }
  std::printf("catalog %s: %llu files, %.1f MB\n", dir.c_str(), static_cast<unsigned long long>(files),
              static_cast<double>(bytes) / 1e6);
  std::printf("roots (%zu):\n", roots.size());
  for (const auto& root : roots) {
    std::printf("  %s%s\n", display_path(root).c_str(),
                present(root) ? "" : "  (missing: its files are kept until index --forget-root)");
  }
  print_counts("by role", roles);
  print_counts("by kind", kinds);
  print_counts("by format", formats);
  print_counts("by device", devices);
  std::printf("media without a capture time: %llu\n", static_cast<unsigned long long>(no_time));
  std::printf("%s\n", same_fs == "1" ? "all inputs on one filesystem" : "inputs span several filesystems");
  std::printf("files with errors: %zu\n", errors.size());
  for (const auto& record : errors) {
    std::printf("  %s: %s\n", display_path(record.path).c_str(), record.error.c_str());
  }
  std::printf("not in the view (symbolic links, FIFOs, sockets, devices, unreadable folders): %zu\n",
              not_in_view.size());
  for (const auto& placement : not_in_view) {
    std::printf("  %s: %s\n", display_path(placement.source).c_str(), placement.reason.c_str());
  }
  return k_exit_ok;
}

} // namespace ipd::tools
