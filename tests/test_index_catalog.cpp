#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

using namespace ipd;
using ipd::test::TmpDir;

TEST_CASE("the catalog keeps file records and meta across reopening") {
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    FileRecord a;
    a.path = "/p/b.jpg";
    a.size = 10;
    FileRecord b;
    b.path = "/p/a.jpg";
    b.make = "Apple";
    batch.put_file(a);
    batch.put_file(b);
    batch.put_meta("roots", "/p");
    catalog->write(batch);
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  std::vector<std::string> paths;
  catalog->for_each_file([&](FileRecord&& r) { paths.push_back(r.path); });
  CHECK(paths == std::vector<std::string>{"/p/a.jpg", "/p/b.jpg"});
  CHECK(catalog->file("/p/a.jpg")->make == "Apple");
  CHECK_FALSE(catalog->file("/p/c.jpg"));
  CHECK(catalog->meta("roots") == "/p");
}

TEST_CASE("opening something that is not a catalog fails clearly and touches nothing") {
  TmpDir tmp;
  CHECK_THROWS_WITH_AS(Catalog::open(tmp / "missing", Catalog::Access::read_only),
                       doctest::Contains("not found"), Fatal);
  ipd::test::write_file(tmp / "photos" / "IMG_1.JPG", "not a database");
  CHECK_THROWS_WITH_AS(Catalog::open(tmp / "photos", Catalog::Access::read_write),
                       doctest::Contains("not an iphone-photo-dedup catalog"), Fatal);
  CHECK_THROWS_AS(Catalog::destroy(tmp / "photos"), Fatal);
  CHECK(ipd::test::read_file(tmp / "photos" / "IMG_1.JPG") == "not a database");
  ipd::test::write_file(tmp / "file", "x");
  CHECK_THROWS_WITH_AS(Catalog::open(tmp / "file", Catalog::Access::read_write),
                       doctest::Contains("not a directory"), Fatal);
}

TEST_CASE("a catalog of another schema version asks for --rebuild, and destroy removes it") {
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    batch.put_meta("schema", "999");
    catalog->write(batch);
  }
  CHECK_THROWS_WITH_AS(Catalog::open(dir, Catalog::Access::read_write), doctest::Contains("--rebuild"),
                       Fatal);
  Catalog::destroy(dir);
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK_NOTHROW(Catalog::open(dir, Catalog::Access::read_write));
}
