// iphone-photo-dedup mount MOUNTPOINT [--catalog DIR] [-f] [-o OPTS]
// iphone-photo-dedup unmount MOUNTPOINT
#include "command.hpp"

#include "fs/mount.hpp"
#include "index/core/text.hpp"

#include <cstdio>

namespace ipd::tools {

namespace {

// `path` made absolute with symlinks resolved, for showing; as given when that fails.
std::string shown(const std::filesystem::path& path) {
  std::error_code ec;
  const auto resolved = std::filesystem::weakly_canonical(path, ec);
  return display_path(ec ? path.string() : resolved.string());
}

} // namespace

int cmd_mount(Args args) {
  fs::MountOptions options;
  options.catalog = catalog_dir(args);
  options.foreground = args.flag("--foreground");
  options.fuse_options = args.value("-o").value_or("");
  const auto paths = args.finish();
  if (paths.size() != 1) {
    throw UsageError("name one mountpoint: an empty folder");
  }
  options.mountpoint = paths[0];
  const std::string catalog = shown(options.catalog);
  const std::string mountpoint = shown(options.mountpoint); // before the mount covers it
  const int status = fs::mount_view(options);
  if (!options.foreground && status == k_exit_ok) {
    std::printf("mounted the view of %s at %s; unmount with: %s unmount %s\n", catalog.c_str(),
                mountpoint.c_str(), k_tool_name.data(), shell_word(mountpoint).c_str());
  }
  return status;
}

int cmd_unmount(Args args) {
  const auto paths = args.finish();
  if (paths.size() != 1) {
    throw UsageError("name one mountpoint");
  }
  fs::unmount_view(paths[0]);
  return k_exit_ok;
}

} // namespace ipd::tools
