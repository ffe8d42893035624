// The plan on generated libraries: which copy is kept, what is a duplicate, where files go.
#include "index/catalog/catalog.hpp"
#include "index/read/indexer.hpp"
#include "index/view/view.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>
#include <oneapi/tbb/task_arena.h>

#include <fcntl.h>
#include <map>
#include <random>
#include <set>
#include <sys/stat.h>

using namespace ipd;
using test::TmpDir;
using test::write_file;

namespace {

test::ExifSpec camera(const char* when = "2021:05:03 14:22:01", const char* subsec = "123") {
  test::ExifSpec e = test::iphone_exif(when);
  e.subsec = subsec;
  return e;
}

void set_mtime(const std::filesystem::path& path, std::int64_t seconds) {
  timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

struct Planned {
  std::map<std::string, Placement> by_source; // relative input path -> placement
  std::map<std::string, std::string> source_of_view;
  std::string readme;
  int exit_errors = 0;
  PlanStats stats;

  const Placement& at(const std::string& rel) const {
    const auto it = by_source.find(rel);
    if (it == by_source.end()) {
      FAIL("no placement for " << rel);
    }
    return it->second;
  }
};

// Indexes and plans `root` with `jobs` threads (0: one per core).
Planned plan_of(const std::filesystem::path& catalog_dir, const std::filesystem::path& root,
                PlanOptions options = {}, unsigned jobs = 0) {
  auto catalog = Catalog::open(catalog_dir, Catalog::Access::read_write);
  IndexOptions index_options;
  index_options.roots = {root};
  IndexReport report;
  std::optional<Plan> plan;
  tbb::task_arena arena(jobs ? static_cast<int>(jobs) : tbb::task_arena::automatic);
  arena.execute([&] {
    report = run_index(*catalog, index_options);
    plan = refresh_plan(*catalog, options, true);
  });
  REQUIRE(plan);
  Planned out;
  out.stats = plan->stats;
  out.exit_errors = static_cast<int>(report.errors.size());
  const std::string prefix = std::filesystem::canonical(root).string() + "/";
  for_each_placement(*catalog, [&](Placement&& p) {
    const std::string rel = p.source.substr(prefix.size());
    if (!p.view.empty()) {
      CHECK_MESSAGE(out.source_of_view.emplace(p.view, rel).second, "two files at view path " << p.view);
    }
    out.by_source[rel] = p;
  });
  out.readme = view_entry(*catalog, "README.txt")->content;
  return out;
}

} // namespace

TEST_CASE("plan: the HEIC is kept over the JPG made from it even when the JPG is older and larger") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "DCIM/IMG_0001.HEIC", test::make_heic(640, 480, camera(), 1));
  test::ExifSpec converted = camera();
  converted.apple_makernote = false;
  write_file(root / "Downloads/IMG_0001.JPG", test::make_jpeg(640, 480, converted, 1, 100));
  REQUIRE(std::filesystem::file_size(root / "Downloads/IMG_0001.JPG") >
          std::filesystem::file_size(root / "DCIM/IMG_0001.HEIC"));
  set_mtime(root / "Downloads/IMG_0001.JPG", 1'500'000'000);
  set_mtime(root / "DCIM/IMG_0001.HEIC", 1'700'000'000);

  const auto plan = plan_of(tmp / "catalog", root);
  const Placement& heic = plan.at("DCIM/IMG_0001.HEIC");
  const Placement& jpg = plan.at("Downloads/IMG_0001.JPG");
  CHECK(heic.role == Role::keeper);
  CHECK(heic.view == "Apple iPhone 12 Pro/2021/2021-05/20210503_142201_IMG_0001.HEIC");
  CHECK(heic.reason.find("original format HEIC over JPG") != std::string::npos);
  CHECK(jpg.role == Role::duplicate);
  CHECK(jpg.keeper == (std::filesystem::canonical(root) / "DCIM/IMG_0001.HEIC").string());
  CHECK(jpg.view == "duplicates/Apple iPhone 12 Pro/2021/2021-05/20210503_142201_IMG_0001 (2).JPG");
  CHECK(jpg.group == heic.group);
}

TEST_CASE("plan: a Windows importer's re-save is a duplicate of the camera JPG") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "phone/IMG_0002.JPG", test::make_jpeg(640, 480, camera(), 2, 92));
  test::ExifSpec resaved = camera();
  resaved.apple_makernote = false;
  resaved.software = "Microsoft Windows Photo Viewer 6.1.7600.16385";
  write_file(root / "pc/IMG_0002.JPG", test::make_jpeg(640, 480, resaved, 2, 80));
  set_mtime(root / "pc/IMG_0002.JPG", 1'500'000'000);
  const auto plan = plan_of(tmp / "catalog", root);
  CHECK(plan.at("phone/IMG_0002.JPG").role == Role::keeper);
  CHECK(plan.at("pc/IMG_0002.JPG").role == Role::duplicate);
  CHECK(plan.at("phone/IMG_0002.JPG").reason.find("camera-original metadata") != std::string::npos);
}

// The JPEG a HEIC converts to on transfer: the same EXIF and MakerNote, orientation baked in.
std::string converted_jpeg(const test::ExifSpec& heic_exif, unsigned seed) {
  return test::make_jpeg(640, 480, heic_exif, seed, 90);
}

test::ExifSpec windows_resave(test::ExifSpec exif) {
  exif.apple_makernote = false;
  exif.content_id.clear();
  exif.software = "Microsoft Windows Photo Viewer 6.1.7600.16385";
  return exif;
}

TEST_CASE(
    "plan: a HEIC and its converted JPG settle on identifier and size and the JPG stands in for its pixels") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::ExifSpec exif = camera();
  exif.content_id = "6F1C2C1A-0D0B-4E57-9C44-3A43A4A7D2B1";
  write_file(root / "DCIM/IMG_0003.HEIC", test::make_heic(640, 480, exif, 3));
  write_file(root / "transfer/IMG_0003.JPG", converted_jpeg(exif, 3));
  write_file(root / "pc/IMG_0003.JPG", test::make_jpeg(640, 480, windows_resave(exif), 3, 80));
  const auto plan = plan_of(tmp / "catalog", root);
  const std::string heic = (std::filesystem::canonical(root) / "DCIM/IMG_0003.HEIC").string();
  CHECK(plan.at("DCIM/IMG_0003.HEIC").role == Role::keeper);
  CHECK(plan.at("transfer/IMG_0003.JPG").role == Role::duplicate);
  CHECK(plan.at("transfer/IMG_0003.JPG").keeper == heic);
  CHECK(plan.at("transfer/IMG_0003.JPG").reason.find("same content identifier, instant and size") !=
        std::string::npos);
  // The re-save needs pixels: it is compared with the converted JPG's, and the HEIC is not decoded.
  CHECK(plan.at("pc/IMG_0003.JPG").role == Role::duplicate);
  CHECK(plan.at("pc/IMG_0003.JPG").keeper == heic);
  CHECK(plan.stats.settled_by_metadata == 1);
  CHECK(plan.stats.heic_prints + plan.stats.heic_samples == 0);
  CHECK(plan.stats.jpeg_samples == 2);
}

TEST_CASE("plan: a HEIC whose converted JPG cannot be decoded is printed from its own pixels") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::ExifSpec exif = camera();
  exif.content_id = "0B8E0C59-6A0B-4F0C-8D7E-1E2F3A4B5C6D";
  write_file(root / "DCIM/IMG_0004.HEIC", test::make_heic(640, 480, exif, 4));
  // A lossless-process frame header (SOF3) over baseline data: the headers read, the pixels not.
  std::string jpeg = converted_jpeg(exif, 4);
  const auto sof = jpeg.find("\xFF\xC0");
  REQUIRE(sof != std::string::npos);
  jpeg[sof + 1] = '\xC3';
  write_file(root / "transfer/IMG_0004.JPG", jpeg);
  write_file(root / "pc/IMG_0004.JPG", test::make_jpeg(640, 480, windows_resave(exif), 4, 80));
  const auto plan = plan_of(tmp / "catalog", root);
  const std::string heic = (std::filesystem::canonical(root) / "DCIM/IMG_0004.HEIC").string();
  // The HEIC's pixels stand in for the converted JPG's against the re-save.
  CHECK(plan.at("transfer/IMG_0004.JPG").role == Role::duplicate);
  CHECK(plan.at("transfer/IMG_0004.JPG").keeper == heic);
  CHECK(plan.at("pc/IMG_0004.JPG").role == Role::duplicate);
  CHECK(plan.at("pc/IMG_0004.JPG").keeper == heic);
  CHECK(plan.stats.sample_errors == 1);
  CHECK(plan.stats.heic_samples == 1);
}

TEST_CASE("plan: an editor's render keeping the identifier and size is compared by its pixels") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::ExifSpec exif = camera();
  exif.content_id = "1D5E8F20-3C4B-4A59-8E6F-7A8B9C0D1E2F";
  write_file(root / "DCIM/IMG_0005.HEIC", test::make_heic(640, 480, exif, 5));
  test::ExifSpec edited = exif;
  edited.software = "Adobe Photoshop Lightroom Classic 12.0 (Macintosh)";
  write_file(root / "Edited/IMG_0005.JPG", test::make_jpeg(640, 480, edited, 6, 90));
  const auto plan = plan_of(tmp / "catalog", root);
  CHECK(plan.at("DCIM/IMG_0005.HEIC").role == Role::keeper);
  CHECK(plan.at("Edited/IMG_0005.JPG").role == Role::keeper);
  CHECK(plan.stats.settled_by_metadata == 0);
  CHECK(plan.stats.heic_prints == 1);
}

TEST_CASE("plan: frames of one second with other subseconds or other content stay apart") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "IMG_0010.JPG", test::make_jpeg(320, 240, camera("2021:05:03 14:22:01", "100"), 10));
  write_file(root / "IMG_0011.JPG", test::make_jpeg(320, 240, camera("2021:05:03 14:22:01", "600"), 11));
  // No subseconds at all: only the content tells them apart.
  write_file(root / "IMG_0012.JPG", test::make_jpeg(320, 240, camera("2021:05:03 15:00:00", ""), 12));
  write_file(root / "IMG_0013.JPG", test::make_jpeg(320, 240, camera("2021:05:03 15:00:00", ""), 13));
  const auto plan = plan_of(tmp / "catalog", root);
  for (const char* name : {"IMG_0010.JPG", "IMG_0011.JPG", "IMG_0012.JPG", "IMG_0013.JPG"}) {
    INFO(name);
    CHECK(plan.at(name).role == Role::keeper);
  }
}

TEST_CASE("plan: an edited crop and an IMG_E edit of the same instant are their own keepers") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "IMG_0020.HEIC", test::make_heic(640, 480, camera(), 20));
  // The crop: other pixels, other aspect, same EXIF.
  write_file(root / "IMG_0020 crop.JPG", test::make_jpeg(400, 400, camera(), 21));
  // Photos' rendered edit: pixels as close as a key-frame change can make them.
  write_file(root / "IMG_E0020.JPG", test::make_jpeg(640, 480, camera(), 20, 95));
  const auto plan = plan_of(tmp / "catalog", root);
  CHECK(plan.at("IMG_0020.HEIC").role == Role::keeper);
  CHECK(plan.at("IMG_0020 crop.JPG").role == Role::keeper);
  CHECK(plan.stats.refused_by_aspect == 1); // the crop against the HEIC, without reading either
  CHECK(plan.at("IMG_E0020.JPG").role == Role::keeper);
  CHECK(plan.at("IMG_E0020.JPG").view == "Apple iPhone 12 Pro/2021/2021-05/20210503_142201_IMG_E0020.JPG");
}

TEST_CASE("plan: a movie named .jpg is a .MOV and a stripped copy goes to unknown_time/") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::MovieSpec movie;
  movie.creation_date = "2020-01-02T03:04:05+0100";
  movie.make = "Apple";
  movie.model = "iPhone 8";
  write_file(root / "Downloads/clip.jpg", test::make_mov(movie));
  write_file(root / "DCIM/IMG_0030.JPG", test::make_jpeg(320, 240, camera(), 30));
  write_file(root / "Takeout/IMG_0030.jpg", test::make_jpeg(320, 240, {}, 30));
  write_file(root / "Takeout/IMG_0030 copy.jpg", test::read_file(root / "Takeout/IMG_0030.jpg"));
  const auto plan = plan_of(tmp / "catalog", root);
  CHECK(plan.at("Downloads/clip.jpg").view == "Apple iPhone 8/2020/2020-01/20200102_030405_clip.MOV");
  CHECK(plan.at("Takeout/IMG_0030.jpg").role == Role::unknown_time);
  CHECK(plan.at("Takeout/IMG_0030.jpg").view == "unknown_time/in/Takeout/IMG_0030.jpg");
  // A byte copy of an unknown-time file is a duplicate of it.
  CHECK(plan.at("Takeout/IMG_0030 copy.jpg").role == Role::duplicate);
  CHECK(plan.at("Takeout/IMG_0030 copy.jpg").view == "duplicates/unknown_time/in/Takeout/IMG_0030 (2).JPG");
}

TEST_CASE("plan: a DNG's JPG sibling is a raw-sidecar or a duplicate with --no-raw-sidecars") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "IMG_0040.DNG", test::make_dng(64, 48, camera(), 40));
  write_file(root / "IMG_0040.JPG", test::make_jpeg(64, 48, camera(), 40));
  auto plan = plan_of(tmp / "c1", root);
  CHECK(plan.at("IMG_0040.DNG").role == Role::keeper);
  CHECK(plan.at("IMG_0040.DNG").view == "Apple iPhone 12 Pro/2021/2021-05/20210503_142201_IMG_0040.DNG");
  CHECK(plan.at("IMG_0040.JPG").role == Role::raw_sidecar);
  CHECK(plan.at("IMG_0040.JPG").view == "Apple iPhone 12 Pro/2021/2021-05/20210503_142201_IMG_0040.JPG");
  PlanOptions no_sidecars;
  no_sidecars.raw_sidecars = false;
  plan = plan_of(tmp / "c2", root, no_sidecars);
  CHECK(plan.at("IMG_0040.JPG").role == Role::duplicate);
}

TEST_CASE("plan: Live Photo movies and AAE sidecars follow their still and a copy's sidecar is a duplicate") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::ExifSpec live = camera();
  live.content_id = "5A5A5A5A-0000-4000-8000-000000000001";
  write_file(root / "DCIM/IMG_0050.HEIC", test::make_heic(320, 240, live, 50));
  test::MovieSpec movie;
  movie.creation_date = "2021-05-03T14:22:00-0700"; // a second before the still, as happens
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  movie.content_id = live.content_id;
  write_file(root / "DCIM/IMG_0050.MOV", test::make_mov(movie));
  write_file(root / "DCIM/IMG_0050.AAE", "<?xml version=\"1.0\"?><plist><dict/></plist>\n");
  write_file(root / "DCIM/IMG_O0050.AAE",
             "<?xml version=\"1.0\"?><plist><dict><key>o</key></dict></plist>\n");
  // A converted copy elsewhere with its own sidecar, and a Live Photo pair found by name only.
  test::ExifSpec converted = live;
  write_file(root / "Downloads/IMG_0050.JPG", test::make_jpeg(320, 240, converted, 50));
  write_file(root / "Downloads/IMG_0050.AAE",
             "<?xml version=\"1.0\"?><plist><dict><key>d</key></dict></plist>\n");
  write_file(root / "Old/IMG_0060.JPG", test::make_jpeg(320, 240, camera("2019:07:01 10:00:00", ""), 60));
  test::MovieSpec unnamed;
  unnamed.creation_date = "2019-07-01T10:00:02-0700";
  write_file(root / "Old/IMG_0060.MOV", test::make_mov(unnamed));
  write_file(root / "Old/orphan.AAE", "<?xml version=\"1.0\"?><plist/>\n");

  const auto plan = plan_of(tmp / "catalog", root);
  const std::string dir = "Apple iPhone 12 Pro/2021/2021-05/";
  CHECK(plan.at("DCIM/IMG_0050.HEIC").role == Role::keeper);
  CHECK(plan.at("DCIM/IMG_0050.MOV").role == Role::companion);
  CHECK(plan.at("DCIM/IMG_0050.MOV").view == dir + "20210503_142201_IMG_0050.MOV");
  CHECK(plan.at("DCIM/IMG_0050.AAE").role == Role::companion);
  CHECK(plan.at("DCIM/IMG_0050.AAE").view == dir + "20210503_142201_IMG_0050.AAE");
  CHECK(plan.at("DCIM/IMG_O0050.AAE").role == Role::companion);
  CHECK(plan.at("DCIM/IMG_O0050.AAE").view == dir + "20210503_142201_IMG_O0050.AAE");
  CHECK(plan.at("Downloads/IMG_0050.JPG").role == Role::duplicate);
  CHECK(plan.at("Downloads/IMG_0050.AAE").role == Role::duplicate);
  CHECK(plan.at("Downloads/IMG_0050.AAE").view == "duplicates/" + dir + "20210503_142201_IMG_0050 (2).AAE");
  CHECK(plan.at("Old/IMG_0060.MOV").role == Role::companion);
  CHECK(plan.at("Old/IMG_0060.MOV").view == "Apple iPhone 12 Pro/2019/2019-07/20190701_100000_IMG_0060.MOV");
  CHECK(plan.at("Old/orphan.AAE").role == Role::other);
  CHECK(plan.at("Old/orphan.AAE").view == "other/in/Old/orphan.AAE");
}

TEST_CASE("plan: names from metadata cannot leave the view or carry control characters") {
  TmpDir tmp;
  const auto root = tmp / "in";
  const char* models[] = {"../../x", "a/b", "bad\x01name\n", "..", "", "duplicates"};
  unsigned seed = 70;
  for (const char* model : models) {
    test::ExifSpec e = camera();
    e.make = "";
    e.model = model;
    write_file(root / ("IMG_" + std::to_string(seed) + ".JPG"), test::make_jpeg(64, 48, e, seed));
    ++seed;
  }
  const auto plan = plan_of(tmp / "catalog", root);
  for (const auto& [view, source] : plan.source_of_view) {
    INFO(view);
    CHECK(view.front() != '/');
    for (std::size_t start = 0; start < view.size();) {
      const auto end = std::min(view.find('/', start), view.size());
      const std::string part = view.substr(start, end - start);
      CHECK(part != "..");
      CHECK(part != ".");
      CHECK(!part.empty());
      start = end + 1;
    }
    for (char c : view) {
      CHECK(static_cast<unsigned char>(c) >= 0x20);
    }
  }
  CHECK(plan.at("IMG_70.JPG").view.rfind(".._.._x/", 0) == 0);
  CHECK(plan.at("IMG_74.JPG").view.rfind("Apple/", 0) != 0);
  CHECK(plan.at("IMG_75.JPG").role == Role::keeper);
  CHECK(plan.at("IMG_75.JPG").view.rfind("duplicates (device)/", 0) == 0);
}

TEST_CASE("plan: every input file is in the view exactly once whatever the tree and thread count") {
  std::mt19937 random(20261124);
  for (int round = 0; round < 3; ++round) {
    TmpDir tmp;
    const auto root = tmp / "in";
    // A random library: originals, conversions, byte copies, stripped copies, sidecars, junk.
    int files = 0;
    for (int capture = 0; capture < 12; ++capture) {
      char when[32];
      std::snprintf(when, sizeof when, "2020:0%d:1%d 1%d:00:0%d", 1 + capture % 9, capture % 10, capture % 10,
                    capture % 7);
      const auto exif = camera(when, random() % 2 ? "250" : "");
      const unsigned seed = 100 + capture;
      const std::string dir = "d" + std::to_string(random() % 4);
      const std::string stem = "IMG_" + std::to_string(1000 + capture);
      write_file(root / dir / (stem + ".HEIC"), test::make_heic(96, 64, exif, seed));
      ++files;
      if (random() % 2) {
        write_file(root / ("conv" + std::to_string(random() % 3)) / (stem + ".JPG"),
                   test::make_jpeg(96, 64, exif, seed));
        ++files;
      }
      if (random() % 3 == 0) {
        write_file(root / "copies" / (stem + " (1).HEIC"), test::read_file(root / dir / (stem + ".HEIC")));
        ++files;
      }
      if (random() % 3 == 0) {
        write_file(root / "stripped" / (stem + ".jpg"), test::make_jpeg(96, 64, {}, seed));
        ++files;
      }
      if (random() % 2) {
        write_file(root / dir / (stem + ".AAE"),
                   "<?xml version=\"1.0\"?><plist/>\n" + std::to_string(capture));
        ++files;
      }
    }
    write_file(root / "junk/.DS_Store", "xx");
    write_file(root / "junk/empty.JPG", "");
    files += 2;

    const auto a = plan_of(tmp / "c1", root, {}, 1);
    const auto b = plan_of(tmp / "c2", root, {}, 4);
    const auto again = plan_of(tmp / "c1", root, {}, 1);
    CHECK(a.by_source.size() == static_cast<std::size_t>(files));
    CHECK(a.source_of_view.size() == static_cast<std::size_t>(files)); // unique view paths, one each
    for (const auto& [source, p] : a.by_source) {
      INFO(source);
      CHECK(!p.view.empty());
      if (p.role == Role::duplicate) {
        CHECK(p.view.rfind("duplicates/", 0) == 0);
        CHECK(a.at(source).keeper != "");
      }
    }
    CHECK(a.by_source == b.by_source);
    CHECK(a.by_source == again.by_source);
  }
}

TEST_CASE("plan: README.txt names the folders and gives the counts and the unreadable files") {
  TmpDir tmp;
  const auto root = tmp / "in";
  write_file(root / "IMG_0090.JPG", test::make_jpeg(64, 48, camera(), 90));
  write_file(root / "broken.JPG", "");
  const auto plan = plan_of(tmp / "catalog", root);
  CHECK(plan.readme.find("duplicates/") != std::string::npos);
  CHECK(plan.readme.find("keeper: 1") != std::string::npos);
  CHECK(plan.readme.find("broken.JPG: empty file (0 bytes)") != std::string::npos);
  CHECK(plan.at("broken.JPG").role == Role::other);
  CHECK(plan.at("broken.JPG").view == "other/in/broken.JPG");
}
