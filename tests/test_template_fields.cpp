// The full-size library clones files from templates (tests/template_fields.hpp): what the
// indexer reads of a clone must be the capture's, not the template's, and its pixels the
// template's. And the HEIC grid encoder writes what an iPhone writes.
#include "index/read/metadata.hpp"
#include "tests/support/encode.hpp"
#include "tests/support/media.hpp"
#include "tests/template_fields.hpp"

#include <doctest/doctest.h>

#include <libheif/heif.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

ipd::MediaInfo read(const std::string& bytes, ipd::Format format) {
  static std::once_flag once;
  std::call_once(once, [] { ipd::init_still_metadata(); });
  return ipd::read_still_metadata({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()},
                                  format);
}

ipd::test::ExifSpec template_spec() {
  ipd::test::ExifSpec spec =
      ipd::test::iphone_exif("2001:02:03 04:05:06", "iPhone 15 Pro", "0F0F0F0F-0000-4000-A000-0000000C0DE1");
  spec.subsec = "000";
  spec.offset = "-07:00";
  spec.burst_id = "0F0F0F0F-0000-4000-A000-0000000B0B51";
  return spec;
}

ipd::test::CaptureFields fields_of(const ipd::test::ExifSpec& spec) {
  return {spec.date_time_original, spec.subsec, spec.offset, spec.content_id, spec.burst_id};
}

const ipd::test::CaptureFields k_capture = {"2019:12:31 23:59:58", "042", "+09:30",
                                            "602FEBB7-6B59-4799-96E6-9C8484D873C7",
                                            "11112222-3333-4444-8555-666677778888"};

// Clones `file` for k_capture and checks what the indexer reads of it.
void check_clone(const std::string& file, ipd::Format format) {
  const auto fields = ipd::test::TemplateFields::locate(file, fields_of(template_spec()));
  const std::string clone = fields.clone(file, k_capture);
  REQUIRE(clone.size() == file.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < file.size(); ++i) {
    differ += file[i] != clone[i] ? 1 : 0;
  }
  // Only fields changed: dates, subseconds, offsets, two ids — far fewer bytes than a picture's.
  CHECK(differ > 0);
  CHECK(differ <= 6 * 19 + 3 * 3 + 3 * 6 + 2 * 36);
  const ipd::MediaInfo info = read(clone, format);
  CHECK(info.error == "");
  CHECK(ipd::format_iso8601(info.capture) == "2019-12-31T23:59:58.042+09:30");
  CHECK(info.content_id == k_capture.content_id);
  CHECK(info.burst_id == k_capture.burst_id);
  CHECK(info.model == "iPhone 15 Pro");
  const ipd::MediaInfo original = read(file, format);
  CHECK(info.width == original.width);
  CHECK(info.height == original.height);

  ipd::test::CaptureFields wider = k_capture;
  wider.offset = "+9:30";
  CHECK_THROWS_AS(fields.clone(file, wider), std::invalid_argument);
  ipd::test::CaptureFields elsewhere = fields_of(template_spec());
  elsewhere.date = "1999:01:01 00:00:00";
  CHECK_THROWS_AS(ipd::test::TemplateFields::locate(file, elsewhere), std::runtime_error);
}

} // namespace

TEST_CASE("a clone of a template JPEG reads back with the capture's time and ids") {
  check_clone(ipd::test::make_jpeg(96, 64, template_spec(), 3), ipd::Format::jpeg);
}

TEST_CASE("a clone of a template HEIC reads back with the capture's time and ids") {
  check_clone(ipd::test::make_heic(96, 64, template_spec(), 3), ipd::Format::heic);
}

TEST_CASE("encode_heic_grid writes a grid of tiles turned by irot as an iPhone turns a portrait") {
  const int width = 1100; // 3×2 tiles of 512×512, the last column and row cut
  const int height = 700;
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i) {
    rgb[i] = static_cast<std::uint8_t>((i / 3 % width) * 255 / width);
  }
  const ipd::test::ExifSpec spec = ipd::test::iphone_exif();
  Exiv2::ExifData exif;
  exif["Exif.Photo.DateTimeOriginal"] = spec.date_time_original;
  const std::string heic = ipd::test::encode_heic_grid(rgb.data(), width, height, 512, 512, 6, exif, true);

  std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                      heif_context_free);
  REQUIRE(heif_context_read_from_memory_without_copy(context.get(), heic.data(), heic.size(), nullptr).code ==
          heif_error_Ok);
  heif_image_handle* raw = nullptr;
  REQUIRE(heif_context_get_primary_image_handle(context.get(), &raw).code == heif_error_Ok);
  std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)> handle(raw,
                                                                                  heif_image_handle_release);
  heif_image_tiling tiling{};
  REQUIRE(heif_image_handle_get_image_tiling(raw, 0, &tiling).code == heif_error_Ok);
  CHECK(tiling.num_columns == 3);
  CHECK(tiling.num_rows == 2);
  CHECK(tiling.tile_width == 512);
  CHECK(tiling.tile_height == 512);
  CHECK(tiling.image_width == 1100);
  CHECK(tiling.image_height == 700);
  const ipd::MediaInfo info = read(heic, ipd::Format::heic);
  CHECK(info.error == "");
  CHECK(info.width == 700); // shown upright: turned a quarter
  CHECK(info.height == 1100);
}
