// The view as a live, read-only FUSE filesystem (docs/DESIGN.md §3, §4): `mount` and `unmount`.
#pragma once

#include <filesystem>
#include <string>

namespace ipd::fs {

// The filesystem type of our mounts in /proc/self/mountinfo ("fuse." + subtype).
constexpr const char* k_mount_type = "fuse.iphone-photo-dedup";

struct MountOptions {
  std::filesystem::path catalog;    // the catalog directory
  std::filesystem::path mountpoint; // an empty folder
  bool foreground = false;          // serve in this process instead of going to the background
  std::string fuse_options;         // more mount options, comma-separated ("allow_other")
};

// Mounts the view of the catalog and serves it, following the catalog's changes, until it is
// unmounted or the server gets SIGINT, SIGTERM or SIGHUP (which unmount it). In the background
// (the default) it returns 0 once the mount is ready, while a child process serves it; in the
// foreground it returns 0 when the mount ends. Throws Fatal for a missing or unreadable
// catalog, a mountpoint that is missing, not a folder, not empty or already a mount, "rw" among
// the options, or a mount the system refuses.
int mount_view(const MountOptions& options);

// Unmounts a view mounted with mount_view (also one whose server was killed). When it is busy,
// detaches it lazily and says so. Throws Fatal when `mountpoint` is not mounted or is not a
// view mount, or when unmounting fails.
void unmount_view(const std::filesystem::path& mountpoint);

} // namespace ipd::fs
