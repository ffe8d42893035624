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

} // namespace

bool is_rotational(std::uint64_t dev, const std::filesystem::path& sysfs) {
  const auto block =
      sysfs / "dev/block" /
      (std::to_string(major(static_cast<dev_t>(dev))) + ":" + std::to_string(minor(static_cast<dev_t>(dev))));
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
