// iphone-photo-dedup mount MOUNTPOINT [--catalog DIR] [-f] [-o OPTS]
// iphone-photo-dedup unmount MOUNTPOINT
#include "command.hpp"

#include "fs/mount.hpp"

namespace ipd::tools {

int cmd_mount(Args args) {
  fs::MountOptions options;
  options.catalog = catalog_dir(args);
  options.foreground = args.flag("-f") || args.flag("--foreground");
  options.fuse_options = args.value("-o").value_or("");
  const auto paths = args.finish();
  if (paths.size() != 1) {
    throw UsageError("name one mountpoint: an empty folder");
  }
  options.mountpoint = paths[0];
  return fs::mount_view(options);
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
