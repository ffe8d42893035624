// Damaged but viewable photos, BigTIFFs and DNG conversions, from generated files through the
// indexer and the plan (issue 15): a photo cut short that still has its metadata keeps its place
// by capture time, marked damaged, and loses to any intact copy; a DNG converted from a camera's
// RAW loses to that RAW.
#include "index/catalog/catalog.hpp"
#include "index/read/indexer.hpp"
#include "index/view/view.hpp"
#include "tests/support/media.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>

using namespace ipd;
using test::TmpDir;
using test::write_file;

namespace {

// An index and a plan of `root`, with every record by path.
struct Planned {
  IndexReport report;
  std::map<std::string, FileRecord> records;
  std::string readme;
  std::unique_ptr<Catalog> catalog;
  Placement at(const std::filesystem::path& path) const {
    const auto p = placement_of(*catalog, path.string());
    REQUIRE_MESSAGE(p, path.string());
    return *p;
  }
};

Planned index_and_plan(const std::filesystem::path& catalog_dir, const std::filesystem::path& root) {
  Planned out;
  out.catalog = Catalog::open(catalog_dir, Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {root};
  out.report = run_index(*out.catalog, options);
  const auto plan = refresh_plan(*out.catalog, PlanOptions{}, true);
  REQUIRE(plan);
  out.readme = plan->readme;
  out.catalog->for_each_file([&](FileRecord&& r) { out.records[r.path] = std::move(r); });
  return out;
}

std::string cut(const std::string& bytes, double share) {
  return bytes.substr(0, static_cast<std::size_t>(static_cast<double>(bytes.size()) * share));
}

void set_mtime(const std::filesystem::path& path, int days_ago) {
  std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() -
                                             std::chrono::hours(24 * days_ago));
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("damaged: a JPEG cut before its EOI or mid-scan and a HEIC with a short mdat are dated keepers") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  const std::string eoi = test::make_jpeg(320, 240, test::iphone_exif("2021:05:03 14:22:01"), 1);
  const std::string scan = test::make_jpeg(320, 240, test::iphone_exif("2021:05:04 10:00:00"), 2, 90, 40);
  const std::string heic =
      test::heic_with_exif_first(test::make_heic(320, 240, test::iphone_exif("2021:05:05 09:30:00"), 3));
  write_file(root / "IMG_0001.JPG", eoi.substr(0, eoi.size() - 2));
  write_file(root / "IMG_0002.JPG", cut(scan, 0.6));
  write_file(root / "IMG_0003.HEIC", cut(heic, 0.8));
  const Planned p = index_and_plan(tmp / "catalog", root);

  const std::string dir = "Apple iPhone 12 Pro/2021/2021-05/";
  const std::map<std::string, std::string> views = {{"IMG_0001.JPG", dir + "20210503_142201_IMG_0001.JPG"},
                                                    {"IMG_0002.JPG", dir + "20210504_100000_IMG_0002.JPG"},
                                                    {"IMG_0003.HEIC", dir + "20210505_093000_IMG_0003.HEIC"}};
  for (const auto& [name, view] : views) {
    INFO(name);
    const FileRecord& r = p.records.at((root / name).string());
    CHECK(r.damaged);
    CHECK(r.error.starts_with("the file is cut short"));
    const Placement at = p.at(root / name);
    CHECK(at.role == Role::keeper);
    CHECK(at.view == view);
    CHECK(has(at.reason, "damaged: " + r.error));
    CHECK(has(p.readme, view + " (keeper): " + r.error));
  }
  // Each still gets its error message: the run reports them all.
  CHECK(p.report.errors.size() == 3);
  // How much is missing, where the structure tells: the restart markers, the mdat's size.
  const FileRecord& scanned = p.records.at((root / "IMG_0002.JPG").string());
  CHECK(has(scanned.error, "about " + std::to_string(scanned.missing_percent) + " % of it is missing"));
  CHECK(scanned.missing_percent >= 30);
  CHECK(scanned.missing_percent <= 50);
  CHECK(p.records.at((root / "IMG_0003.HEIC").string()).missing_percent == 20);
  CHECK(has(p.readme, "Damaged files (3)"));
  CHECK(has(p.readme, "Files that could not be read (0)"));
}

TEST_CASE(
    "damaged: a copy cut short is a duplicate and the intact copy is kept whatever its format or mtime") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  // A HEIC (the better format) cut short, and the JPG converted from it, downloaded later.
  const auto spec =
      test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro", "6F1D5A20-0000-4000-8000-00000000F00D");
  const std::string heic = test::heic_with_exif_first(test::make_heic(320, 240, spec, 4));
  write_file(root / "Old/IMG_0004.HEIC", cut(heic, 0.7));
  write_file(root / "New/IMG_0004.JPG", test::make_jpeg(320, 240, spec, 4));
  set_mtime(root / "Old/IMG_0004.HEIC", 400);
  // A JPG without a content identifier, intact and cut mid-scan (the cut one older).
  const std::string jpeg = test::make_jpeg(320, 240, test::iphone_exif("2021:06:01 08:00:00"), 5);
  write_file(root / "Old/IMG_0005.JPG", cut(jpeg, 0.5));
  write_file(root / "New/IMG_0005.JPG", jpeg);
  set_mtime(root / "Old/IMG_0005.JPG", 400);
  // The same, cut only before its end-of-image marker.
  const std::string whole = test::make_jpeg(320, 240, test::iphone_exif("2021:07:01 08:00:00"), 6);
  write_file(root / "Old/IMG_0006.JPG", whole.substr(0, whole.size() - 2));
  write_file(root / "New/IMG_0006.JPG", whole);
  set_mtime(root / "Old/IMG_0006.JPG", 400);
  const Planned p = index_and_plan(tmp / "catalog", root);

  CHECK(p.at(root / "New/IMG_0004.JPG").role == Role::keeper);
  const Placement heic_at = p.at(root / "Old/IMG_0004.HEIC");
  CHECK(heic_at.role == Role::duplicate);
  CHECK(heic_at.keeper == (root / "New/IMG_0004.JPG").string());
  CHECK(has(heic_at.reason, "intact over a damaged copy (the file is cut short"));
  CHECK(p.at(root / "New/IMG_0005.JPG").role == Role::keeper);
  const Placement jpeg_at = p.at(root / "Old/IMG_0005.JPG");
  CHECK(jpeg_at.role == Role::duplicate);
  CHECK(jpeg_at.keeper == (root / "New/IMG_0005.JPG").string());
  CHECK(jpeg_at.view.starts_with("duplicates/Apple iPhone 12 Pro/2021/2021-06/20210601_080000_IMG_0005"));
  CHECK(p.at(root / "New/IMG_0006.JPG").role == Role::keeper);
  CHECK(p.at(root / "Old/IMG_0006.JPG").role == Role::duplicate);
  CHECK(p.at(root / "Old/IMG_0006.JPG").keeper == (root / "New/IMG_0006.JPG").string());
  CHECK(has(p.readme, "Damaged files (3)"));
  CHECK(has(p.readme, "(duplicate): the file is cut short"));

  // explain says so too, with the words the reason attribute carries.
  const auto r = test::run_tool(
      {"explain", (root / "Old/IMG_0005.JPG").string(), "--catalog", (tmp / "catalog").string()});
  CHECK(r.status == 0);
  CHECK(has(r.out, "damaged: the file is cut short"));
  CHECK(has(r.out, "intact over a damaged copy"));
}

TEST_CASE("damaged: a JPEG cut inside its EXIF has nothing left to show and goes to other") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  const std::string jpeg = test::make_jpeg(320, 240, test::iphone_exif(), 6);
  write_file(root / "IMG_0006.JPG", jpeg.substr(0, 300));
  const Planned p = index_and_plan(tmp / "catalog", root);
  const FileRecord& r = p.records.at((root / "IMG_0006.JPG").string());
  CHECK_FALSE(r.damaged);
  CHECK(r.error != "");
  CHECK(p.at(root / "IMG_0006.JPG").role == Role::other);
  CHECK(has(p.readme, "Files that could not be read (1)"));
}

TEST_CASE("damaged: a BigTIFF written by libvips is indexed as complete") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  write_file(root / "BigTIFF.tif", test::make_bigtiff(200, 150, 7));
  const Planned p = index_and_plan(tmp / "catalog", root);
  const FileRecord& r = p.records.at((root / "BigTIFF.tif").string());
  CHECK(r.format == Format::tiff);
  CHECK(r.error == "");
  CHECK(p.report.errors.empty());
  CHECK(p.at(root / "BigTIFF.tif").role == Role::unknown_time);
}

TEST_CASE("damaged: a native RAW and a DNG naming it as its source keep the native RAW") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  test::ExifSpec spec;
  spec.date_time_original = "2005:08:03 18:59:18";
  spec.make = "Canon";
  spec.model = "Canon EOS 350D DIGITAL";
  write_file(root / "CRW_0001.CR2", test::make_tiff(192, 128, spec, 8));
  spec.original_raw_name = "CRW_0001.CR2";
  spec.software = "Adobe DNG Converter 15.0";
  write_file(root / "CRW_0001.dng", test::make_dng(196, 130, spec, 8)); // a converter's crop: more pixels
  set_mtime(root / "CRW_0001.dng", 400);                                // and older
  const Planned p = index_and_plan(tmp / "catalog", root);
  CHECK(p.records.at((root / "CRW_0001.CR2").string()).format == Format::cr2);
  CHECK(p.records.at((root / "CRW_0001.dng").string()).original_raw == "CRW_0001.CR2");
  CHECK(p.at(root / "CRW_0001.CR2").role == Role::keeper);
  const Placement dng = p.at(root / "CRW_0001.dng");
  CHECK(dng.role == Role::duplicate);
  CHECK(has(dng.reason,
            "the camera's own RAW CR2 over a DNG converted from it (OriginalRawFileName CRW_0001.CR2)"));
}
