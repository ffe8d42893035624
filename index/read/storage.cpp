#include "index/read/storage.hpp"

#include <fstream>
#include <string>
#include <sys/sysmacros.h>

namespace ipd {

namespace {

// The "0"/"1" of `file`, or -1 when it cannot be read.
int read_flag(const std::filesystem::path& file) {
  std::ifstream in(file);
  int value = -1;
  if (!(in >> value)) {
    return -1;
  }
  return value;
}

// True when the disk is a virtual machine's (virtio, Xen): its rotational flag is the default
// the driver sets, whatever the host keeps the image on.
bool is_virtual_disk(const std::filesystem::path& block) {
  for (const auto& driver : {block / "device/driver", block / "../device/driver"}) {
    std::error_code ec;
    const std::string name = std::filesystem::read_symlink(driver, ec).filename().string();
    if (!ec) {
      return name == "virtio_blk" || name == "vbd" || name == "xen-blkfront";
    }
  }
  return false;
}

} // namespace

bool is_rotational(std::uint64_t dev, const std::filesystem::path& sysfs) {
  const auto block =
      sysfs / "dev/block" /
      (std::to_string(major(static_cast<dev_t>(dev))) + ":" + std::to_string(minor(static_cast<dev_t>(dev))));
  if (is_virtual_disk(block)) {
    return false;
  }
  // A whole disk has queue/; a partition is a folder of its disk, which has it.
  for (const auto& queue : {block / "queue/rotational", block / "../queue/rotational"}) {
    if (const int flag = read_flag(queue); flag >= 0) {
      return flag == 1;
    }
  }
  return false;
}

bool any_rotational(const std::vector<std::uint64_t>& devices, const std::filesystem::path& sysfs) {
  for (const auto dev : devices) {
    if (is_rotational(dev, sysfs)) {
      return true;
    }
  }
  return false;
}

} // namespace ipd
