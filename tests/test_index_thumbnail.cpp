// Previews for the review page (index/pixels/thumbnail.hpp): upright, small, the same picture.
#include "index/pixels/fingerprint.hpp"
#include "index/pixels/thumbnail.hpp"
#include "tests/support/media.hpp"

#include <doctest/doctest.h>
#include <vips/vips8>

#include <cstdint>
#include <span>
#include <string>

namespace {

using ipd::Format;

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

ipd::Fingerprint print_of(const std::string& bytes, Format format) {
  ipd::Fingerprint print;
  std::string error;
  INFO(error);
  REQUIRE(ipd::compute_fingerprint(bytes_of(bytes), format, print, error));
  return print;
}

std::string preview_of(const std::string& bytes, Format format) {
  std::string jpeg;
  std::string error;
  const bool ok = ipd::make_thumbnail(bytes_of(bytes), format, ipd::k_thumbnail_side, jpeg, error);
  INFO(error);
  REQUIRE(ok);
  return jpeg;
}

// The width and height of a JPEG.
struct Size {
  int width = 0;
  int height = 0;
};

Size size_of(const std::string& jpeg) {
  const vips::VImage image = vips::VImage::new_from_buffer(jpeg.data(), jpeg.size(), "");
  return {image.width(), image.height()};
}

ipd::test::ExifSpec oriented(int orientation) {
  ipd::test::ExifSpec spec = ipd::test::iphone_exif();
  spec.orientation = orientation;
  return spec;
}

} // namespace

TEST_CASE("a preview of a turned HEIC or JPEG is the same picture upright and fits the preview size") {
  for (const int orientation : {1, 3, 6, 8}) {
    CAPTURE(orientation);
    for (const Format format : {Format::heic, Format::jpeg}) {
      CAPTURE(ipd::format_name(format));
      const std::string original = format == Format::heic
                                       ? ipd::test::make_heic(640, 480, oriented(orientation), 4)
                                       : ipd::test::make_jpeg(640, 480, oriented(orientation), 4);
      const std::string preview = preview_of(original, format);
      CHECK(preview.substr(0, 3) == "\xff\xd8\xff"); // a JPEG
      const ipd::Fingerprint shown = print_of(original, format);
      const ipd::Fingerprint small = print_of(preview, Format::jpeg);
      const Size size = size_of(preview);
      CHECK(size.width == (orientation >= 5 ? 180 : 240));
      CHECK(size.height == (orientation >= 5 ? 240 : 180));
      // Upright: the aspect of the picture as shown (3:4 when turned a quarter), and its pixels.
      CHECK(small.aspect == doctest::Approx(orientation >= 5 ? 0.75 : 4.0 / 3.0).epsilon(0.01));
      CHECK(ipd::fingerprint_distance(shown, small) < ipd::k_default_fingerprint_threshold);
      const ipd::Fingerprint other = print_of(ipd::test::make_jpeg(640, 480, oriented(1), 5), Format::jpeg);
      CHECK(ipd::fingerprint_distance(other, small) > 10 * ipd::k_default_fingerprint_threshold);
    }
  }
}

TEST_CASE("a preview is never larger than its picture and carries no metadata") {
  const std::string small = ipd::test::make_jpeg(120, 90, oriented(1), 2);
  const std::string preview = preview_of(small, Format::jpeg);
  const Size size = size_of(preview);
  CHECK(size.width == 120);
  CHECK(size.height == 90);
  CHECK(preview.find("Exif") == std::string::npos);
  CHECK(preview.find("iPhone") == std::string::npos);
  CHECK(preview.size() < small.size() * 2);
}

TEST_CASE("a preview of a broken picture a movie or an empty file is refused with a reason") {
  std::string jpeg;
  std::string error;
  const std::string whole = ipd::test::make_jpeg(640, 480, oriented(1), 3);
  CHECK_FALSE(
      ipd::make_thumbnail(bytes_of(whole.substr(0, whole.size() / 3)), Format::jpeg, 240, jpeg, error));
  CHECK(error.find("cannot decode image") == 0);
  error.clear();
  CHECK_FALSE(ipd::make_thumbnail(bytes_of(whole), Format::mov, 240, jpeg, error));
  CHECK(error == "preview: not a still image (mov)");
  error.clear();
  CHECK_FALSE(ipd::make_thumbnail({}, Format::jpeg, 240, jpeg, error));
  CHECK(error == "preview: empty file");
}
