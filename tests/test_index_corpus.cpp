// The real-device corpus (../shared/corpus/real): every MANIFEST.tsv row must come out of the
// indexer as the manifest states it. Skipped, with a message, when the corpus is absent.
#include "index/catalog/catalog.hpp"
#include "index/core/record.hpp"
#include "index/read/indexer.hpp"
#include "index/view/view.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace ipd;

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, '\t')) {
    out.push_back(cell);
  }
  return out;
}

// "2021:04:08 16:04:55.787-07:00" -> "2021-04-08T16:04:55.787-07:00"
std::string iso(std::string text) {
  if (text.size() >= 10) {
    text[4] = '-';
    text[7] = '-';
  }
  if (text.size() > 10 && text[10] == ' ') {
    text[10] = 'T';
  }
  return text;
}

// What the manifest's capture column promises, as format_iso8601 prints it; "" for no time,
// and nullopt where the column is not a capture time (a sidecar's own timestamp).
std::optional<std::string> expected_capture(const std::string& kind, const std::string& column) {
  if (kind == "aae" || kind == "xmp") {
    return std::nullopt;
  }
  if (column == "-") {
    return std::string();
  }
  const auto eq = column.find('=');
  const std::string value = eq == std::string::npos ? column : column.substr(eq + 1);
  if (column.rfind("QuickTime:CreateDate(UTC)=", 0) == 0) {
    return iso(value) + "+00:00";
  }
  return iso(value);
}

std::string expected_id(const std::string& column) {
  const auto eq = column.find('=');
  return column == "-" || eq == std::string::npos ? std::string() : column.substr(eq + 1);
}

std::string dash_empty(const std::string& s) { return s == "-" ? std::string() : s; }

} // namespace

TEST_CASE("corpus: every MANIFEST row reads back its kind/make/model/capture time/content id") {
  const auto corpus = test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("corpus absent (../shared/corpus/real or $IPD_CORPUS): skipping the real-file checks");
    return;
  }
  test::TmpDir tmp;
  auto catalog = Catalog::open(tmp / "catalog", Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {corpus};
  const IndexReport report = run_index(*catalog, options);
  std::map<std::string, FileRecord> records;
  catalog->for_each_file([&](FileRecord&& r) { records[r.path] = std::move(r); });

  std::ifstream manifest(corpus / "MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);
  const auto header = split_tabs(line);
  REQUIRE(header.size() >= 11);
  REQUIRE(header[6] == "kind");
  REQUIRE(header[9].rfind("DateTimeOriginal", 0) == 0);
  int rows = 0;
  while (std::getline(manifest, line)) {
    const auto cells = split_tabs(line);
    if (cells.size() < 11) {
      continue;
    }
    ++rows;
    const std::string& name = cells[0];
    INFO("file: " << name);
    const auto it = records.find((corpus / name).string());
    REQUIRE(it != records.end());
    const FileRecord& r = it->second;
    CHECK(r.size == std::stoull(cells[1]));
    CHECK(format_name(r.format) == cells[6]);
    CHECK(r.make == dash_empty(cells[7]));
    CHECK(r.model == dash_empty(cells[8]));
    if (const auto capture = expected_capture(cells[6], cells[9])) {
      const std::string got = format_iso8601(r.capture);
      if (capture->size() == 10) { // a bare date
        CHECK(got.substr(0, 10) == *capture);
      } else {
        CHECK(got == *capture);
      }
    }
    CHECK(r.content_id == expected_id(cells[10]));
    // The one file whose image data the corpus pruned is reported as such; all others read clean.
    if (name == "exiv2_IMG_1361.dng") {
      CHECK(r.error.starts_with("the file is cut short"));
    } else {
      CHECK(r.error == "");
    }
  }
  CHECK(rows >= 48);
  MESSAGE("corpus: checked " << rows << " manifest rows; " << report.errors.size() << " file(s) with errors");
}

TEST_CASE("corpus: the plan keeps every relationship the MANIFEST notes describe") {
  const auto corpus = test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("corpus absent (../shared/corpus/real or $IPD_CORPUS): skipping the real-file plan checks");
    return;
  }
  test::TmpDir tmp;
  auto catalog = Catalog::open(tmp / "catalog", Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {corpus};
  run_index(*catalog, options);
  REQUIRE(refresh_plan(*catalog, PlanOptions{}, true));
  const auto at = [&](const char* name) {
    const auto p = placement_of(*catalog, (corpus / name).string());
    REQUIRE_MESSAGE(p, name);
    return *p;
  };
  const auto path = [&](const char* name) { return (corpus / name).string(); };

  // The exact copy and the Takeout copy of IMG_4179 are duplicates of one keeper; its Google
  // edit is not.
  CHECK(at("osxp_IMG_4179.jpeg").role == Role::keeper);
  CHECK(at("osxp_takeout2021_IMG_4179(1).jpeg").role == Role::duplicate);
  CHECK(at("osxp_takeout2021_IMG_4179(1).jpeg").keeper == path("osxp_IMG_4179.jpeg"));
  CHECK(at("osxp_takeout2021_IMG_4179.jpeg").role == Role::duplicate);
  CHECK(at("osxp_takeout2021_IMG_4179.jpeg").keeper == path("osxp_IMG_4179.jpeg"));
  CHECK(at("osxp_takeout2021_IMG_4179-edited.jpeg").role == Role::keeper);
  CHECK(at("osxp_IMG_4179.jpeg.xmp").role == Role::companion);

  // One capture, different bytes: the copy with the Apple MakerNote is kept.
  CHECK(at("osxp_IMG_6161.HEIC").role == Role::keeper);
  CHECK(at("makelive_test2.heic").role == Role::duplicate);
  CHECK(at("makelive_test2.heic").keeper == path("osxp_IMG_6161.HEIC"));

  // The HDR pair, the burst frames and the edited renders are not merged.
  for (const char* name : {"ianare_iphone_hdr_NO.jpg", "ianare_iphone_hdr_YES.jpg", "osxp_IMG_0658.JPG",
                           "osxp_IMG_0664.JPG", "osxp_IMG_3582.HEIC", "osxp_IMG_3582_edited.heic"}) {
    INFO(name);
    CHECK(at(name).role == Role::keeper);
  }

  // Live Photo movies and AAE files sit beside their stills.
  const auto beside = [&](const char* companion, const char* still) {
    INFO(companion);
    const Placement c = at(companion);
    const Placement s = at(still);
    CHECK(c.role == Role::companion);
    CHECK(c.keeper == path(still));
    CHECK(c.view.substr(0, c.view.rfind('/')) == s.view.substr(0, s.view.rfind('/')));
  };
  beside("osxp_IMG_3582.mov", "osxp_IMG_3582.HEIC");
  beside("osxp_IMG_3582.AAE", "osxp_IMG_3582.HEIC");
  beside("osxp_IMG_O3582.AAE", "osxp_IMG_3582.HEIC");
  beside("osxp_IMG_3582_edited.mov", "osxp_IMG_3582_edited.heic");
  beside("osxp_IMG_4580.mov", "osxp_IMG_4580.HEIC");
  CHECK(at("osxp_IMG_3582.mov").view.ends_with("_osxp_IMG_3582.MOV"));

  // Same name, unrelated: the 2015 screenshot and the 2017 movie stay apart.
  CHECK(at("osxp_IMG_2908.PNG").role == Role::keeper);
  CHECK(at("osxp_IMG_2908.MOV").role == Role::keeper);
  // Wrong extensions get their true one; a file without metadata goes to unknown_time/.
  CHECK(at("pp_wrong.heic").view.ends_with(".JPG"));
  CHECK(at("exifr_img_1771_no_exif.jpg").role == Role::unknown_time);
  CHECK(at("osxp_St James Park.AAE").role == Role::other);
}

TEST_CASE("corpus: truncated copies of every real media file get a clear error and keep their place") {
  const auto corpus = test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("corpus absent (../shared/corpus/real or $IPD_CORPUS): skipping the truncated real files");
    return;
  }
  test::TmpDir tmp;
  const auto root = tmp / "cut";
  std::vector<std::string> expected_errors;
  int written = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    const std::string ext = name.substr(name.rfind('.') + 1);
    if (ext == "tsv" || ext == "md" || ext == "AAE" || ext == "xmp") {
      continue; // text: a cut-off text file is still a text file
    }
    const std::string bytes = test::read_file(entry.path());
    // The last byte of a JPEG, PNG or ISO-BMFF file belongs to its structure; a TIFF may end in
    // padding (exifr_Bush-dog.tif has 2 bytes after its last IFD), so cutting 1 byte loses nothing.
    const bool tiff = ext == "tif" || ext == "dng" || ext == "cr2";
    for (double cut : {0.02, 0.5, 0.9, 0.99, -1.0}) {
      if (cut < 0 && tiff) {
        continue;
      }
      const std::size_t size = cut < 0 ? bytes.size() - 1 : static_cast<std::size_t>(bytes.size() * cut);
      const std::string path = (root / (std::to_string(static_cast<int>(cut * 100)) + "_" + name)).string();
      test::write_file(path, bytes.substr(0, size));
      expected_errors.push_back(path);
      ++written;
    }
  }
  test::write_file(root / "notes.txt", "a note\n");
  auto catalog = Catalog::open(tmp / "catalog", Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {root};
  const IndexReport report = run_index(*catalog, options);
  REQUIRE(refresh_plan(*catalog, PlanOptions{}, true));
  CHECK(report.files == static_cast<std::uint64_t>(written + 1));
  std::map<std::string, std::string> errors;
  for (const auto& r : report.errors) {
    errors[r.path] = r.error;
  }
  int missed = 0;
  int placed = 0;
  for (const auto& path : expected_errors) {
    const auto canonical =
        (std::filesystem::canonical(root) / std::filesystem::path(path).filename()).string();
    if (!errors.count(canonical)) {
      ++missed;
      MESSAGE("no error for " << canonical);
    }
    // Where the metadata survived the cut, the copy is placed by its capture time: in its
    // device's dated folder, as a keeper or beside its keeper under duplicates/.
    const auto record = catalog->file(canonical);
    const auto placement = placement_of(*catalog, canonical);
    REQUIRE(record);
    REQUIRE(placement);
    INFO(canonical << ": " << record->error);
    if (record->damaged && record->capture.known()) {
      ++placed;
      CHECK((placement->role == Role::keeper || placement->role == Role::duplicate));
      const CivilTime t = civil_time(record->capture.local);
      const std::string month =
          std::to_string(t.year) + "-" + (t.month < 10 ? "0" : "") + std::to_string(t.month);
      CHECK(placement->view.find("/" + std::to_string(t.year) + "/" + month + "/") != std::string::npos);
      CHECK(placement->reason.find(record->error) != std::string::npos);
    } else if (!record->damaged) {
      CHECK((placement->role == Role::other || record->error.empty()));
    }
  }
  CHECK(missed == 0);
  CHECK(placed > 0);
  CHECK_FALSE(errors.count((std::filesystem::canonical(root) / "notes.txt").string()));
  MESSAGE("corpus: " << written << " truncated copies, " << errors.size() << " with an error, " << placed
                     << " placed by their capture time");
}
