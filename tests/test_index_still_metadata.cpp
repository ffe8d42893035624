#include "index/read/metadata.hpp"
#include "tests/support/media.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <string>

namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] { ipd::init_still_metadata(); });
}

ipd::MediaInfo read(const std::string& bytes, ipd::Format format) {
  init_once();
  return ipd::read_still_metadata({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                  format);
}

ipd::test::ExifSpec iphone_spec() {
  ipd::test::ExifSpec spec;
  spec.date_time_original = "2025:05:26 09:27:06";
  spec.subsec = "603";
  spec.offset = "-05:00";
  spec.make = "Apple";
  spec.model = "iPhone 15 Pro";
  spec.software = "18.5";
  spec.orientation = 6;
  spec.content_id = "602FEBB7-6B59-4799-96E6-9C8484D873C7";
  spec.burst_id = "0F0E0D0C-1111-4222-8333-444455556666";
  return spec;
}

void check_iphone_spec(const ipd::MediaInfo& info) {
  CHECK(info.error == "");
  CHECK(info.capture.source == ipd::TimeSource::exif_original);
  CHECK(ipd::format_iso8601(info.capture) == "2025-05-26T09:27:06.603-05:00");
  CHECK(info.make == "Apple");
  CHECK(info.model == "iPhone 15 Pro");
  CHECK(info.software == "18.5");
  CHECK(info.orientation == 6);
  CHECK(info.width == 48);
  CHECK(info.height == 64);
  CHECK(info.apple_makernote);
  CHECK(info.content_id == "602FEBB7-6B59-4799-96E6-9C8484D873C7");
  CHECK(info.burst_id == "0F0E0D0C-1111-4222-8333-444455556666");
}

} // namespace

TEST_CASE("a generated JPEG's EXIF and Apple MakerNote read back") {
  check_iphone_spec(read(ipd::test::make_jpeg(64, 48, iphone_spec(), 1), ipd::Format::jpeg));
}

TEST_CASE("a generated HEIC's EXIF and Apple MakerNote read back with its size after rotation") {
  check_iphone_spec(read(ipd::test::make_heic(64, 48, iphone_spec(), 2), ipd::Format::heic));
}

TEST_CASE("an upright still keeps its stored size") {
  ipd::test::ExifSpec spec;
  spec.date_time_original = "2016:10:09 14:44:17";
  spec.orientation = 1;
  for (const auto& [bytes, format] : {std::pair{ipd::test::make_jpeg(80, 60, spec, 3), ipd::Format::jpeg},
                                      std::pair{ipd::test::make_heic(80, 60, spec, 3), ipd::Format::heic}}) {
    const ipd::MediaInfo info = read(bytes, format);
    CHECK(info.error == "");
    CHECK(info.orientation == 1);
    CHECK(info.width == 80);
    CHECK(info.height == 60);
    CHECK(ipd::format_iso8601(info.capture) == "2016-10-09T14:44:17");
    CHECK_FALSE(info.apple_makernote);
  }
}

TEST_CASE("a JPEG without EXIF has an unknown time and no error") {
  const ipd::MediaInfo info = read(ipd::test::make_jpeg(64, 48, {}, 4), ipd::Format::jpeg);
  CHECK(info.error == "");
  CHECK_FALSE(info.capture.known());
  CHECK(info.make == "");
  CHECK(info.orientation == 0);
  CHECK(info.width == 64);
  CHECK(info.height == 48);
}

TEST_CASE("a HEIC without EXIF has an unknown time and no error") {
  const ipd::MediaInfo info = read(ipd::test::make_heic(64, 48, {}, 4), ipd::Format::heic);
  CHECK(info.error == "");
  CHECK_FALSE(info.capture.known());
  CHECK(info.width == 64);
  CHECK(info.height == 48);
}

TEST_CASE("an XMP DateCreated dates a screenshot PNG") {
  const ipd::MediaInfo info = read(ipd::test::make_png(96, 64, 5, "2015-09-27T16:29:28"), ipd::Format::png);
  CHECK(info.error == "");
  CHECK(info.capture.source == ipd::TimeSource::xmp_created);
  CHECK(ipd::format_iso8601(info.capture) == "2015-09-27T16:29:28");
  CHECK(info.width == 96);
  CHECK(info.height == 64);
}

TEST_CASE("a PNG without metadata reads without error") {
  const ipd::MediaInfo info = read(ipd::test::make_png(32, 16, 6), ipd::Format::png);
  CHECK(info.error == "");
  CHECK_FALSE(info.capture.known());
  CHECK(info.width == 32);
  CHECK(info.height == 16);
}

TEST_CASE("DateTimeOriginal beats XMP which beats DateTimeDigitized and bad dates are skipped") {
  ipd::test::ExifSpec spec;
  spec.date_time_original = "2021:04:08 16:04:55";
  spec.subsec = "787";
  spec.offset = "-07:00";
  spec.xmp_date_created = "2021-00-04T16:04:55-07:00";
  spec.date_time_digitized = "2020:01:01 00:00:00";
  ipd::MediaInfo info = read(ipd::test::make_jpeg(64, 48, spec, 7), ipd::Format::jpeg);
  CHECK(info.capture.source == ipd::TimeSource::exif_original);
  CHECK(ipd::format_iso8601(info.capture) == "2021-04-08T16:04:55.787-07:00");

  spec.date_time_original = "2021:00:04 16:04:55";
  spec.xmp_date_created = "2021-04-08T16:04:55";
  info = read(ipd::test::make_jpeg(64, 48, spec, 7), ipd::Format::jpeg);
  CHECK(info.capture.source == ipd::TimeSource::xmp_created);
  CHECK(ipd::format_iso8601(info.capture) == "2021-04-08T16:04:55");

  spec.xmp_date_created = "2021:00:04";
  info = read(ipd::test::make_jpeg(64, 48, spec, 7), ipd::Format::jpeg);
  CHECK(info.capture.source == ipd::TimeSource::exif_digitized);
  CHECK(ipd::format_iso8601(info.capture) == "2020-01-01T00:00:00");
}

TEST_CASE("different seeds make different images of the same size") {
  const std::string a = ipd::test::make_jpeg(64, 48, {}, 1);
  const std::string b = ipd::test::make_jpeg(64, 48, {}, 2);
  CHECK(a != b);
  CHECK(a == ipd::test::make_jpeg(64, 48, {}, 1));
}

TEST_CASE("empty and garbage input give an error sentence") {
  const ipd::MediaInfo empty = read("", ipd::Format::jpeg);
  CHECK(empty.error != "");
  const ipd::MediaInfo garbage = read(std::string(4096, 'x'), ipd::Format::jpeg);
  CHECK(garbage.error == "not a readable JPEG: its content is damaged or of another kind");
  CHECK(garbage.error_detail != "");
  const ipd::MediaInfo heic = read(std::string(4096, 'x'), ipd::Format::heic);
  CHECK(heic.error == "not a readable HEIC: its content is damaged or of another kind");
  const ipd::MediaInfo unknown = read(std::string(4096, 'x'), ipd::Format::unknown);
  CHECK(unknown.error == "no metadata could be read");
  CHECK(unknown.error_detail != "");
}

TEST_CASE("every truncation of a generated JPEG or HEIC or PNG reads without crashing") {
  const ipd::test::ExifSpec spec = iphone_spec();
  for (const auto& [bytes, format] :
       {std::pair{ipd::test::make_jpeg(64, 48, spec, 8), ipd::Format::jpeg},
        std::pair{ipd::test::make_heic(64, 48, spec, 8), ipd::Format::heic},
        std::pair{ipd::test::make_png(64, 48, 8, "2015-09-27T16:29:28"), ipd::Format::png}}) {
    for (std::size_t length = 0; length < bytes.size(); ++length) {
      const ipd::MediaInfo info = read(bytes.substr(0, length), format);
      if (length == 0) {
        CHECK(info.error != "");
      }
    }
  }
}

TEST_CASE("corpus stills read as their MANIFEST states") {
  const std::filesystem::path corpus = ipd::test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("corpus absent: skipping the corpus stills check");
    return;
  }
  struct Expected {
    const char* file;
    ipd::Format format;
    const char* make;
    const char* model;
    const char* capture;
    const char* content_id;
  };
  const Expected expected[] = {
      {"osxp_IMG_3582.HEIC", ipd::Format::heic, "Apple", "iPhone 15 Pro", "2025-05-26T09:27:06.603-05:00",
       "602FEBB7-6B59-4799-96E6-9C8484D873C7"},
      {"osxp_IMG_0658.JPG", ipd::Format::jpeg, "Apple", "iPhone 6s", "2016-10-09T14:44:17.878", ""},
      {"osxp_IMG_2908.PNG", ipd::Format::png, "", "", "2015-09-27T16:29:28", ""},
      {"exiv2_IMG_1361.dng", ipd::Format::dng, "Apple", "iPhone 12 Pro", "2020-12-29T14:24:45.700-05:00", ""},
      {"exiv2_Canon-R6-pruned.CR3", ipd::Format::cr3, "Canon", "Canon EOS R6", "2021-05-12T12:21:21.92+02:00",
       ""},
      {"exiftool_CanonRaw.cr2", ipd::Format::cr2, "Canon", "Canon EOS 350D DIGITAL", "2005-08-03T18:59:18",
       ""},
  };
  for (const Expected& want : expected) {
    CAPTURE(want.file);
    const ipd::MediaInfo info = read(ipd::test::read_file(corpus / want.file), want.format);
    CHECK(info.error == "");
    CHECK(info.make == want.make);
    CHECK(info.model == want.model);
    CHECK(ipd::format_iso8601(info.capture) == want.capture);
    CHECK(info.content_id == want.content_id);
  }

  const ipd::MediaInfo still = read(ipd::test::read_file(corpus / "osxp_IMG_3582.HEIC"), ipd::Format::heic);
  CHECK(still.capture.source == ipd::TimeSource::exif_original);
  CHECK(still.orientation == 6);
  CHECK(still.width == 4284);
  CHECK(still.height == 5712);

  const ipd::MediaInfo edited =
      read(ipd::test::read_file(corpus / "osxp_IMG_3582_edited.heic"), ipd::Format::heic);
  CHECK(edited.width == 4284);
  CHECK(edited.height == 5712);
  CHECK(edited.content_id == "87D06EAA-DAEF-4498-ABC5-27FE5C8CE710");

  const ipd::MediaInfo burst = read(ipd::test::read_file(corpus / "osxp_IMG_0658.JPG"), ipd::Format::jpeg);
  CHECK(burst.apple_makernote);
  CHECK(burst.burst_id != "");
  const ipd::MediaInfo next = read(ipd::test::read_file(corpus / "osxp_IMG_0664.JPG"), ipd::Format::jpeg);
  CHECK(next.burst_id == burst.burst_id);

  const ipd::MediaInfo screenshot =
      read(ipd::test::read_file(corpus / "osxp_IMG_2908.PNG"), ipd::Format::png);
  CHECK(screenshot.capture.source == ipd::TimeSource::xmp_created);

  const ipd::MediaInfo dng = read(ipd::test::read_file(corpus / "exiv2_IMG_1361.dng"), ipd::Format::dng);
  CHECK(dng.orientation == 6);
  CHECK(dng.width == 3024);
  CHECK(dng.height == 4032);

  const ipd::MediaInfo stripped =
      read(ipd::test::read_file(corpus / "exifr_img_1771_no_exif.jpg"), ipd::Format::jpeg);
  CHECK(stripped.error == "");
  CHECK_FALSE(stripped.capture.known());
}

TEST_CASE("regression: IFD0 DateTime alone is a save time unless a camera or a GPS time confirms it") {
  // A TIFF saved by a Mac (no camera, no GPS) has only IFD0 DateTime: when it was written.
  ipd::test::ExifSpec spec;
  spec.date_time = "2010:03:04 10:20:30";
  spec.software = "Mac OS X 10.6.8";
  ipd::MediaInfo info = read(ipd::test::make_tiff(24, 16, spec, 1), ipd::Format::tiff);
  CHECK(info.capture.source == ipd::TimeSource::save_time);
  CHECK_FALSE(info.capture.known());
  CHECK(ipd::describe_time(info.capture) ==
        "(none: EXIF DateTime 2010-03-04T10:20:30 is when the file was last saved, and no camera or "
        "GPS time confirms it)");

  SUBCASE("a camera's make and model confirm it") {
    spec.make = "NIKON CORPORATION";
    spec.model = "NIKON D70";
    info = read(ipd::test::make_jpeg(24, 16, spec, 1), ipd::Format::jpeg);
    CHECK(info.capture.source == ipd::TimeSource::exif_modified);
    CHECK(ipd::describe_time(info.capture) ==
          "2010-03-04T10:20:30 (EXIF DateTime, confirmed by the camera's make and model or its GPS time)");
  }
  SUBCASE("a GPS time within a minute confirms it in any time zone") {
    spec.gps_date = "2010:03:04";
    spec.gps_time = "15/1 20/1 0/1"; // 15:20:00 UTC: 10:20:30 at -05:00, 30 s apart
    info = read(ipd::test::make_jpeg(24, 16, spec, 1), ipd::Format::jpeg);
    CHECK(info.capture.source == ipd::TimeSource::exif_modified);
    CHECK(ipd::format_iso8601(info.capture) == "2010-03-04T10:20:30");
  }
  SUBCASE("a GPS time minutes away does not") {
    spec.gps_date = "2010:03:04";
    spec.gps_time = "15/1 25/1 0/1";
    info = read(ipd::test::make_jpeg(24, 16, spec, 1), ipd::Format::jpeg);
    CHECK(info.capture.source == ipd::TimeSource::save_time);
  }
  SUBCASE("DateTimeDigitized is a capture time on its own") {
    spec.date_time_digitized = "2010:03:01 08:00:00";
    info = read(ipd::test::make_tiff(24, 16, spec, 1), ipd::Format::tiff);
    CHECK(info.capture.source == ipd::TimeSource::exif_digitized);
    CHECK(ipd::describe_time(info.capture) == "2010-03-01T08:00:00 (EXIF DateTimeDigitized)");
  }
}

TEST_CASE("error words 13.7: library texts become the tool's words and the library's are kept") {
  using ipd::Format;
  using ipd::library_failure_words;
  CHECK(library_failure_words(Format::heic, "This does not look like a TIFF image") ==
        "corrupt HEIC: its EXIF metadata is damaged");
  CHECK(
      library_failure_words(Format::heic, "Memory allocation error: Security limit exceeded: Too many "
                                          "auxiliary image references") ==
      "this HEIC cannot be read with the libheif installed: HEICs from iOS 17 on need libheif 1.17 or later");
  CHECK(library_failure_words(Format::heic, "Unsupported feature: Unsupported codec") ==
        "unsupported HEIC: it uses a feature the HEIC reader does not support");
  CHECK(library_failure_words(Format::jpeg, "Failed to read input data") ==
        "corrupt JPEG: its metadata ends early");
  CHECK(library_failure_words(Format::unknown, "anything") == "no metadata could be read");
  // Through the reader: a HEIC that is none keeps libheif's words as the detail.
  const ipd::MediaInfo heic = read(std::string(4096, 'x'), Format::heic);
  CHECK(heic.error == "not a readable HEIC: its content is damaged or of another kind");
  CHECK(heic.error_detail != "");
  CHECK(heic.error.find(heic.error_detail) == std::string::npos);
}
