#include "index/pixels/fingerprint.hpp"
#include "tests/support/media.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>
#include <vips/vips8>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace {

using ipd::Format;

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

ipd::Fingerprint print_of(const std::string& bytes, Format format) {
  ipd::Fingerprint print;
  std::string error;
  const bool ok = ipd::compute_fingerprint(bytes_of(bytes), format, print, error);
  INFO(error);
  REQUIRE(ok);
  CHECK(error.empty());
  return print;
}

double distance(const std::string& a, Format fa, const std::string& b, Format fb) {
  return ipd::fingerprint_distance(print_of(a, fa), print_of(b, fb));
}

std::string blob_bytes(VipsBlob* blob) {
  VipsArea* area = VIPS_AREA(blob);
  std::string bytes(static_cast<const char*>(area->data), area->length);
  vips_area_unref(area);
  return bytes;
}

// What iOS does on transfer: the full image decoded, orientation baked in, JPEG q=90, EXIF kept.
std::string converted_jpeg(const std::string& original, double scale = 1.0, int quality = 90) {
  ipd::init_fingerprints(); // libvips may not be started yet when a corpus case runs alone
  vips::VImage image = vips::VImage::new_from_buffer(original.data(), original.size(), "").autorot().copy();
  image.set(VIPS_META_ORIENTATION, 1);
  if (scale != 1.0) {
    image = image.resize(scale);
  }
  return blob_bytes(image.jpegsave_buffer(vips::VImage::option()->set("Q", quality)));
}

const ipd::test::ExifSpec k_plain{};

ipd::test::ExifSpec oriented(int orientation) {
  ipd::test::ExifSpec spec;
  spec.orientation = orientation;
  spec.make = "Apple";
  spec.model = "iPhone 12 Pro";
  spec.date_time_original = "2021:05:03 14:22:01";
  return spec;
}

} // namespace

TEST_CASE("a HEIC and a JPEG of the same generated picture fingerprint within the default threshold") {
  const std::string heic = ipd::test::make_heic(640, 480, oriented(1), 7);
  const std::string jpeg = ipd::test::make_jpeg(640, 480, oriented(1), 7);
  const ipd::Fingerprint a = print_of(heic, Format::heic);
  const ipd::Fingerprint b = print_of(jpeg, Format::jpeg);
  CHECK(a.aspect == doctest::Approx(640.0 / 480.0));
  CHECK(ipd::aspects_match(a.aspect, b.aspect));
  CHECK(ipd::fingerprint_distance(a, b) < ipd::k_default_fingerprint_threshold);
}

TEST_CASE("a PNG and a low-quality JPEG and a half-size JPEG of one picture match its JPEG") {
  const std::string jpeg = ipd::test::make_jpeg(800, 600, k_plain, 11);
  const std::string png = ipd::test::make_png(800, 600, 11);
  const std::string low = ipd::test::make_jpeg(800, 600, k_plain, 11, 60);
  const std::string half = converted_jpeg(png, 0.5, 80);
  CHECK(distance(jpeg, Format::jpeg, png, Format::png) < ipd::k_default_fingerprint_threshold);
  CHECK(distance(jpeg, Format::jpeg, low, Format::jpeg) < ipd::k_default_fingerprint_threshold);
  CHECK(distance(png, Format::png, half, Format::jpeg) < ipd::k_default_fingerprint_threshold);
  CHECK(ipd::aspects_match(print_of(png, Format::png).aspect, print_of(half, Format::jpeg).aspect));
}

TEST_CASE("different generated pictures are far apart") {
  const std::string a = ipd::test::make_jpeg(640, 480, k_plain, 1);
  const std::string b = ipd::test::make_jpeg(640, 480, k_plain, 2);
  const std::string c = ipd::test::make_heic(640, 480, k_plain, 3);
  CHECK(distance(a, Format::jpeg, b, Format::jpeg) > 10 * ipd::k_default_fingerprint_threshold);
  CHECK(distance(a, Format::jpeg, c, Format::heic) > 10 * ipd::k_default_fingerprint_threshold);
}

TEST_CASE("every EXIF orientation of a JPEG turns like the same HEIC transformation") {
  // make_heic stores the pixels and lets libheif turn them (irot/imir); make_jpeg stores the same
  // pixels with the EXIF tag. Both must come out upright and equal.
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    const std::string heic = ipd::test::make_heic(320, 240, oriented(orientation), 5);
    const std::string jpeg = ipd::test::make_jpeg(320, 240, oriented(orientation), 5);
    const ipd::Fingerprint a = print_of(heic, Format::heic);
    const ipd::Fingerprint b = print_of(jpeg, Format::jpeg);
    const double expected_aspect = orientation >= 5 ? 240.0 / 320.0 : 320.0 / 240.0;
    CHECK(a.aspect == doctest::Approx(expected_aspect));
    CHECK(b.aspect == doctest::Approx(expected_aspect));
    CHECK(ipd::fingerprint_distance(a, b) < ipd::k_default_fingerprint_threshold);
  }
}

TEST_CASE("an orientation-6 HEIC matches the JPEG converted from it with the turn baked in") {
  const std::string heic = ipd::test::make_heic(640, 480, oriented(6), 9);
  const std::string upright = converted_jpeg(heic);
  const ipd::Fingerprint a = print_of(heic, Format::heic);
  const ipd::Fingerprint b = print_of(upright, Format::jpeg);
  CHECK(a.aspect == doctest::Approx(0.75));
  CHECK(b.aspect == doctest::Approx(0.75));
  CHECK(ipd::fingerprint_distance(a, b) < ipd::k_default_fingerprint_threshold);
  // The same pixels not turned are another picture.
  const ipd::Fingerprint unturned = print_of(ipd::test::make_jpeg(640, 480, k_plain, 9), Format::jpeg);
  CHECK_FALSE(ipd::aspects_match(a.aspect, unturned.aspect));
}

TEST_CASE("the distance is the standard deviation of the pixel differences") {
  ipd::Fingerprint a;
  ipd::Fingerprint b;
  for (std::size_t i = 0; i < ipd::k_fingerprint_pixels; ++i) {
    a.grey[i] = static_cast<std::uint8_t>(i % 200);
    b.grey[i] = static_cast<std::uint8_t>(i % 200 + 20); // a uniform brightness shift
  }
  CHECK(ipd::fingerprint_distance(a, a) == 0.0);
  CHECK(ipd::fingerprint_distance(a, b) == doctest::Approx(0.0));
  for (std::size_t i = 0; i < ipd::k_fingerprint_pixels; i += 2) {
    b.grey[i] = static_cast<std::uint8_t>(b.grey[i] + 10); // differences alternate 20, 30
  }
  CHECK(ipd::fingerprint_distance(a, b) == doctest::Approx(5.0));
  CHECK(ipd::fingerprint_distance(b, a) == doctest::Approx(5.0));
}

TEST_CASE("aspect ratios match within the rounding of a downscaled copy") {
  CHECK(ipd::aspects_match(4032.0f / 3024.0f, 2048.0f / 1536.0f));
  CHECK(ipd::aspects_match(2566.0f / 3313.0f, 1586.0f / 2048.0f));
  CHECK(ipd::aspects_match(3088.0f / 2320.0f, 2048.0f / 1539.0f));
  CHECK(ipd::aspects_match(1.0f, 1.009f));
  CHECK_FALSE(ipd::aspects_match(1.0f, 1.02f));
  CHECK_FALSE(ipd::aspects_match(4.0f / 3.0f, 3.0f / 4.0f));
  CHECK_FALSE(ipd::aspects_match(16.0f / 9.0f, 4.0f / 3.0f));
  CHECK_FALSE(ipd::aspects_match(0.0f, 0.0f));
  CHECK_FALSE(ipd::aspects_match(1.0f, std::numeric_limits<float>::quiet_NaN()));
}

TEST_CASE("a fingerprint survives its catalog encoding") {
  const ipd::Fingerprint original = print_of(ipd::test::make_jpeg(300, 200, k_plain, 4), Format::jpeg);
  const std::string encoded = ipd::encode_fingerprint(original);
  CHECK(encoded.size() == ipd::k_fingerprint_bytes);
  ipd::Fingerprint decoded;
  REQUIRE(ipd::decode_fingerprint(encoded, decoded));
  CHECK(decoded == original);
  CHECK(decoded.aspect == doctest::Approx(1.5));

  ipd::Fingerprint untouched;
  CHECK_FALSE(ipd::decode_fingerprint("", untouched));
  CHECK_FALSE(ipd::decode_fingerprint(encoded.substr(1), untouched));
  CHECK_FALSE(ipd::decode_fingerprint(encoded + "x", untouched));
  std::string nan = encoded;
  nan.replace(ipd::k_fingerprint_pixels, 4, std::string("\x00\x00\xc0\x7f", 4));
  CHECK_FALSE(ipd::decode_fingerprint(nan, untouched));
  CHECK(untouched == ipd::Fingerprint{});
}

TEST_CASE("undecodable bytes give an error and never a crash") {
  const std::string jpeg = ipd::test::make_jpeg(640, 480, k_plain, 6);
  const std::string heic = ipd::test::make_heic(320, 240, k_plain, 6);
  const std::string garbage(5000, '\x5a');
  struct Case {
    const char* label;
    std::string bytes;
    Format format;
  };
  const std::vector<Case> cases = {
      {"empty", "", Format::jpeg},
      {"garbage as JPEG", garbage, Format::jpeg},
      {"garbage as HEIC", garbage, Format::heic},
      {"garbage as PNG", garbage, Format::png},
      {"garbage of unknown format", garbage, Format::unknown},
      {"JPEG header only", jpeg.substr(0, 200), Format::jpeg},
      {"truncated JPEG", jpeg.substr(0, jpeg.size() / 2), Format::jpeg},
      {"truncated HEIC", heic.substr(0, heic.size() / 2), Format::heic},
      {"JPEG called HEIC", jpeg, Format::heic},
      {"a RAW file", jpeg, Format::dng},
      {"a movie", jpeg, Format::mov},
  };
  for (const Case& c : cases) {
    CAPTURE(c.label);
    ipd::Fingerprint print;
    std::string error;
    CHECK_FALSE(ipd::compute_fingerprint(bytes_of(c.bytes), c.format, print, error));
    CHECK_FALSE(error.empty());
    CHECK(print == ipd::Fingerprint{});
    std::string compare_error;
    CHECK(ipd::full_compare_percent(bytes_of(c.bytes), c.format, bytes_of(jpeg), Format::jpeg,
                                    compare_error) < 0);
    CHECK_FALSE(compare_error.empty());
  }
}

TEST_CASE("full compare: near 0 % for one picture in two formats and sizes and far for another") {
  const std::string heic = ipd::test::make_heic(640, 480, oriented(6), 12);
  const std::string jpeg = converted_jpeg(heic, 0.5);
  const std::string other = ipd::test::make_jpeg(480, 640, k_plain, 13);
  std::string error;
  const double same =
      ipd::full_compare_percent(bytes_of(heic), Format::heic, bytes_of(jpeg), Format::jpeg, error);
  INFO(error);
  CHECK(same >= 0);
  CHECK(same < ipd::k_default_full_compare_percent);
  CHECK(ipd::full_compare_percent(bytes_of(jpeg), Format::jpeg, bytes_of(heic), Format::heic, error) ==
        doctest::Approx(same));
  const double different =
      ipd::full_compare_percent(bytes_of(heic), Format::heic, bytes_of(other), Format::jpeg, error);
  CHECK(different > 10 * ipd::k_default_full_compare_percent);
  CHECK(different <= 100.0);
}

TEST_CASE("fingerprints computed on several threads at once equal the serial ones") {
  std::vector<std::string> inputs;
  std::vector<Format> formats;
  for (unsigned seed = 0; seed < 4; ++seed) {
    inputs.push_back(ipd::test::make_jpeg(640, 480, oriented(seed % 2 ? 6 : 1), seed));
    formats.push_back(Format::jpeg);
    inputs.push_back(ipd::test::make_heic(320, 240, oriented(seed % 2 ? 8 : 1), seed));
    formats.push_back(Format::heic);
  }
  std::vector<ipd::Fingerprint> serial;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    serial.push_back(print_of(inputs[i], formats[i]));
  }
  constexpr int k_threads = 4;
  std::vector<std::vector<ipd::Fingerprint>> parallel(k_threads);
  std::vector<int> failures(k_threads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          ipd::Fingerprint print;
          std::string error;
          if (!ipd::compute_fingerprint(bytes_of(inputs[i]), formats[i], print, error)) {
            ++failures[static_cast<std::size_t>(t)];
          }
          if (round == 0) {
            parallel[static_cast<std::size_t>(t)].push_back(print);
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < k_threads; ++t) {
    CHECK(failures[static_cast<std::size_t>(t)] == 0);
    CHECK(parallel[static_cast<std::size_t>(t)] == serial);
  }
}

TEST_CASE("corpus: true copies fall under the default threshold and distinct pictures above it") {
  const std::filesystem::path corpus = ipd::test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("real corpus not found: skipped");
    return;
  }
  auto load = [&](const char* name) { return ipd::test::read_file(corpus / name); };
  const double threshold = ipd::k_default_fingerprint_threshold;

  SUBCASE("metadata-only rewrite of a HEIC is the same picture") {
    const double d =
        distance(load("makelive_test2.heic"), Format::heic, load("osxp_IMG_6161.HEIC"), Format::heic);
    CHECK(d < 0.1);
  }
  SUBCASE("Takeout copy with rewritten XMP is the same picture") {
    const double d = distance(load("osxp_IMG_4179.jpeg"), Format::jpeg,
                              load("osxp_takeout2021_IMG_4179.jpeg"), Format::jpeg);
    CHECK(d < 0.1);
  }
  SUBCASE("a HEIC, the JPEG converted from it, a re-save and a 2048-px downscale match") {
    const std::string heic = load("osxp_IMG_0102.HEIC"); // iPhone 8, 2320x3088 after turning
    const std::string converted = converted_jpeg(heic);
    const std::string resaved = converted_jpeg(converted, 0.95, 75);
    const std::string downscaled = converted_jpeg(heic, 2048.0 / 3088.0, 85);
    const ipd::Fingerprint original = print_of(heic, Format::heic);
    for (const std::string* copy : {&converted, &resaved, &downscaled}) {
      const ipd::Fingerprint print = print_of(*copy, Format::jpeg);
      CHECK(ipd::fingerprint_distance(original, print) < threshold);
      CHECK(ipd::aspects_match(original.aspect, print.aspect));
    }
    std::string error;
    const double percent =
        ipd::full_compare_percent(bytes_of(heic), Format::heic, bytes_of(downscaled), Format::jpeg, error);
    CHECK(percent >= 0);
    CHECK(percent < ipd::k_default_full_compare_percent);
  }
  SUBCASE("burst frames, the HDR pair and edited renders are distinct") {
    struct Negative {
      const char* a;
      Format fa;
      const char* b;
      Format fb;
    };
    const std::vector<Negative> negatives = {
        {"osxp_IMG_0658.JPG", Format::jpeg, "osxp_IMG_0664.JPG", Format::jpeg},
        {"ianare_iphone_hdr_NO.jpg", Format::jpeg, "ianare_iphone_hdr_YES.jpg", Format::jpeg},
        {"osxp_IMG_3582.HEIC", Format::heic, "osxp_IMG_3582_edited.heic", Format::heic},
        {"osxp_IMG_4179.jpeg", Format::jpeg, "osxp_takeout2021_IMG_4179-edited.jpeg", Format::jpeg},
    };
    for (const Negative& n : negatives) {
      CAPTURE(n.a);
      CHECK(distance(load(n.a), n.fa, load(n.b), n.fb) > threshold);
    }
  }
}
