// What the inputs are stored on, for choosing how to read them: a spinning disk wants one file
// at a time in inode order (seeks are its cost); an SSD wants many reads in flight.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace ipd {

// True when the block device `dev` (a stat's st_dev) says it is rotational, as
// /sys/dev/block/MAJOR:MINOR/queue/rotational (or its parent's, for a partition) tells. False
// when sysfs does not say (tmpfs, FUSE, network filesystems), and for a virtual machine's disk
// (virtio, Xen), whose flag is its driver's default, not what the host stores it on: measured on
// a virtio disk that says it spins, a cold read pass took 11.5 s one file at a time and 2.1 s in
// parallel with reads ahead. `sysfs` is "/sys" but for tests.
bool is_rotational(std::uint64_t dev, const std::filesystem::path& sysfs = "/sys");

// True when any of `devices` is rotational.
bool any_rotational(const std::vector<std::uint64_t>& devices, const std::filesystem::path& sysfs = "/sys");

} // namespace ipd
