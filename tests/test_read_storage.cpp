// Whether inputs are on a spinning disk, from sysfs, and what the indexer does about it.
#include "index/catalog/catalog.hpp"
#include "index/read/indexer.hpp"
#include "index/read/storage.hpp"
#include "tests/support/media.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <map>
#include <sys/stat.h>
#include <sys/sysmacros.h>

using namespace ipd;
using test::TmpDir;
using test::write_file;
namespace fs = std::filesystem;

namespace {

std::string dev_name(std::uint64_t dev) {
  return std::to_string(major(static_cast<dev_t>(dev))) + ":" +
         std::to_string(minor(static_cast<dev_t>(dev)));
}

std::uint64_t dev_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_dev;
}

// A sysfs where `dev` is partition 1 of a disk whose queue says `rotational`.
fs::path fake_sysfs(const fs::path& at, std::uint64_t dev, const char* rotational) {
  const fs::path disk = at / "devices/virtual/block/sdz";
  fs::create_directories(disk / "sdz1");
  fs::create_directories(disk / "queue");
  fs::create_directories(disk / "device");
  write_file(disk / "queue/rotational", rotational);
  fs::create_directories(at / "dev/block");
  fs::create_directory_symlink("../../devices/virtual/block/sdz/sdz1", at / "dev/block" / dev_name(dev));
  return at;
}

} // namespace

TEST_CASE("storage: a partition of a spinning disk is rotational and an SSD or no sysfs entry is not") {
  TmpDir tmp;
  const std::uint64_t dev = makedev(8, 1);
  CHECK(is_rotational(dev, fake_sysfs(tmp / "hdd", dev, "1\n")));
  CHECK_FALSE(is_rotational(dev, fake_sysfs(tmp / "ssd", dev, "0\n")));
  CHECK_FALSE(is_rotational(dev, tmp / "nothing"));
  // A whole disk has its own queue.
  fs::create_directories(tmp / "disk/dev/block/" / dev_name(dev) / "queue");
  write_file(tmp / "disk/dev/block/" / dev_name(dev) / "queue/rotational", "1");
  CHECK(is_rotational(dev, tmp / "disk"));
  CHECK(any_rotational({makedev(7, 7), dev}, tmp / "disk"));
  CHECK_FALSE(any_rotational({makedev(7, 7)}, tmp / "disk"));
  // A virtual machine's disk says it spins whatever backs it: not taken for a spinning disk.
  const fs::path vm = fake_sysfs(tmp / "vm", dev, "1");
  fs::create_directories(vm / "bus/virtio/drivers/virtio_blk");
  fs::create_directory_symlink("../../../../bus/virtio/drivers/virtio_blk",
                               vm / "devices/virtual/block/sdz/device/driver");
  CHECK_FALSE(is_rotational(dev, vm));
}

TEST_CASE("storage: on a spinning disk index reads one file at a time with the same result") {
  TmpDir tmp;
  const auto root = fs::canonical(tmp.path()) / "in";
  for (int i = 0; i < 20; ++i) {
    const std::string when = "2021:05:03 14:22:" + std::to_string(10 + i);
    write_file(root / ("d" + std::to_string(i % 3)) / ("IMG_" + std::to_string(i) + ".JPG"),
               test::make_jpeg(32, 24, test::iphone_exif(when.c_str()), static_cast<unsigned>(i)));
  }
  write_file(root / "notes.txt", "x");
  const auto index = [&](const fs::path& catalog_dir, const fs::path& sysfs) {
    auto catalog = Catalog::open(catalog_dir, Catalog::Access::read_write);
    IndexOptions options;
    options.roots = {root};
    options.sysfs = sysfs;
    const IndexReport report = run_index(*catalog, options);
    std::map<std::string, FileRecord> records;
    catalog->for_each_file([&](FileRecord&& r) { records.emplace(r.path, std::move(r)); });
    return std::make_pair(report, records);
  };
  const auto [spinning, on_hdd] = index(tmp / "c1", fake_sysfs(tmp / "hdd", dev_of(root), "1"));
  const auto [solid, on_ssd] = index(tmp / "c2", fake_sysfs(tmp / "ssd", dev_of(root), "0"));
  CHECK(spinning.one_at_a_time);
  CHECK_FALSE(solid.one_at_a_time);
  CHECK(spinning.opened == 21);
  CHECK(on_hdd == on_ssd);
  // --jobs (ReadOrder::parallel) overrides the disk.
  auto catalog = Catalog::open(tmp / "c3", Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {root};
  options.sysfs = tmp / "hdd";
  options.order = ReadOrder::parallel;
  CHECK_FALSE(run_index(*catalog, options).one_at_a_time);
}
