#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"
#include "tests/support/record_v1.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <set>
#include <string>
#include <vector>

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
    batch.put_meta(meta_key::roots, "/p");
    catalog->write(batch);
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  std::vector<std::string> paths;
  catalog->for_each_file([&](FileRecord&& r) { paths.push_back(r.path); });
  CHECK(paths == std::vector<std::string>{"/p/a.jpg", "/p/b.jpg"});
  CHECK(catalog->file("/p/a.jpg")->make == "Apple");
  CHECK_FALSE(catalog->file("/p/c.jpg"));
  CHECK(catalog->meta(meta_key::roots) == "/p");
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

TEST_CASE("a catalog of another schema version asks for --rebuild and destroy removes it") {
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    batch.put_meta(meta_key::schema, "999");
    catalog->write(batch);
  }
  CHECK_THROWS_WITH_AS(Catalog::open(dir, Catalog::Access::read_write), doctest::Contains("--rebuild"),
                       Fatal);
  Catalog::destroy(dir);
  CHECK_FALSE(std::filesystem::exists(dir));
  CHECK_NOTHROW(Catalog::open(dir, Catalog::Access::read_write));
}

TEST_CASE("a catalog of the layout with a directory-listing table opens and loses that table when written") {
  // Earlier versions kept a "dirs" table of directory listings that nothing read.
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), "files", "view", "dirs", "plan"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.string(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[0], "magic", "iphone-photo-dedup catalog").ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[0], "schema", "1").ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[3], std::string("\0README.txt", 11), "f").ok());
    for (auto* handle : handles) {
      REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
    }
  }
  const auto families = [&] {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(options, dir.string(), &names).ok());
    return std::set<std::string>(names.begin(), names.end());
  };
  {
    // Read-only (a listing, a mount), the tables of decisions and near misses this layout lacks
    // read as empty.
    auto catalog = Catalog::open(dir, Catalog::Access::read_only);
    CHECK(families().count("dirs") == 1);
    CHECK(families().count("decisions") == 0);
    CHECK(families().count("near_misses") == 0);
    CHECK_FALSE(catalog->get(Catalog::Table::decisions, "k"));
    int rows = 0;
    for (const auto table : {Catalog::Table::decisions, Catalog::Table::near_misses}) {
      catalog->scan(table, "", [&](std::string_view, std::string_view) { return ++rows > 0; });
    }
    CHECK(rows == 0);
    TmpDir work;
    auto secondary = Catalog::open_secondary(dir, work.path());
    CHECK_FALSE(secondary->get(Catalog::Table::decisions, "k"));
    CHECK(secondary->meta(meta_key::schema) == "1");
  }
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    batch.put_meta(meta_key::roots, "/p");
    catalog->write(batch);
  }
  CHECK(families() == std::set<std::string>{rocksdb::kDefaultColumnFamilyName, "files", "view", "plan",
                                            "decisions", "near_misses"});
  CHECK(Catalog::open(dir, Catalog::Access::read_only)->meta(meta_key::roots) == "/p");
}

TEST_CASE("a catalog written before samples opens and its records read without samples") {
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  {
    // What the previous version left: the same schema, file records of record version 1.
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    batch.put(Catalog::Table::files, "/p/IMG_6161.HEIC", ipd::test::k_version_1_bytes);
    catalog->write(batch);
  }
  FileRecord expected = ipd::test::version_1_record();
  expected.path = "/p/IMG_6161.HEIC";
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    std::vector<FileRecord> records;
    catalog->for_each_file([&](FileRecord&& r) { records.push_back(std::move(r)); });
    REQUIRE(records.size() == 1);
    CHECK(records[0] == expected);
    CHECK(records[0].sample.empty());
    // This version adds a sample to the old record and writes it back.
    records[0].sample = std::string(1029, '\x2a');
    Catalog::Batch batch;
    batch.put_file(records[0]);
    catalog->write(batch);
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  const auto back = catalog->file("/p/IMG_6161.HEIC");
  REQUIRE(back);
  CHECK(back->sample == std::string(1029, '\x2a'));
  CHECK(back->fingerprint == expected.fingerprint);
}

TEST_CASE("rebuild starts afresh whatever the schema but keeps the decisions table") {
  TmpDir tmp;
  const auto dir = tmp / "catalog";
  {
    auto catalog = Catalog::open(dir, Catalog::Access::read_write);
    Catalog::Batch batch;
    FileRecord record;
    record.path = "/p/IMG_1.JPG";
    batch.put_file(record);
    batch.put(Catalog::Table::view, "README.txt", "x");
    batch.put(Catalog::Table::decisions, "a decision", "its value");
    batch.put_meta(meta_key::roots, "/p");
    batch.put_meta(meta_key::schema, "999");
    catalog->write(batch);
  }
  auto catalog = Catalog::rebuild(dir);
  CHECK(catalog->meta(meta_key::schema) == "1");
  CHECK_FALSE(catalog->meta(meta_key::roots));
  CHECK_FALSE(catalog->file("/p/IMG_1.JPG"));
  CHECK_FALSE(catalog->get(Catalog::Table::view, "README.txt"));
  CHECK(catalog->get(Catalog::Table::decisions, "a decision") == "its value");
  // It is a catalog like a new one: it takes writes to every table, and reopens.
  Catalog::Batch batch;
  FileRecord record;
  record.path = "/q/IMG_2.JPG";
  batch.put_file(record);
  catalog->write(batch);
  catalog.reset();
  catalog = Catalog::open(dir, Catalog::Access::read_only);
  CHECK(catalog->file("/q/IMG_2.JPG"));
  CHECK(catalog->get(Catalog::Table::decisions, "a decision") == "its value");

  // Something that is not a catalog is neither rebuilt nor touched.
  ipd::test::write_file(tmp / "photos/IMG_1.JPG", "jpeg");
  CHECK_THROWS_AS(Catalog::rebuild(tmp / "photos"), Fatal);
  CHECK(test::read_file(tmp / "photos/IMG_1.JPG") == "jpeg");
}
