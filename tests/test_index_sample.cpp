#include "index/pixels/sample.hpp"
#include "index/pixels/sample_layout.hpp"
#include "tests/support/encode.hpp"
#include "tests/support/media.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>
#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using ipd::Format;
using ipd::Sample;
using ipd::SamplePath;
using ipd::SampleReport;
using ipd::SampleVerdict;

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

struct Sampled {
  Sample sample;
  SampleReport report;
};

Sampled sample_of(const std::string& bytes, Format format,
                  ipd::SampleSource source = ipd::SampleSource::automatic) {
  Sampled out;
  std::string error;
  const bool ok = ipd::compute_sample_from(bytes_of(bytes), format, source, out.sample, out.report, error);
  INFO(error);
  REQUIRE(ok);
  CHECK(error.empty());
  return out;
}

// A picture with texture at several scales over make_pixels' gradient and blobs, so that every
// region of a sample has detail to compare.
vips::VImage picture(int width, int height, unsigned seed) {
  ipd::test::init_media_libraries();
  std::vector<std::uint8_t> pixels = ipd::test::make_pixels(width, height, seed);
  const double f1 = 0.05 + 0.01 * (seed % 7);
  const double f2 = 0.11 + 0.013 * (seed % 5);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double wave =
          28 * std::sin(f1 * x + 0.7 * seed) * std::sin(f2 * y) + 14 * std::sin(0.31 * (x + y));
      std::uint8_t* pixel = &pixels[(static_cast<std::size_t>(y) * width + x) * 3];
      for (int c = 0; c < 3; ++c) {
        pixel[c] = static_cast<std::uint8_t>(std::clamp(pixel[c] + wave * (c == 1 ? 1.0 : 0.6), 0.0, 255.0));
      }
    }
  }
  // (A copy: an image over `pixels` would outlive them.)
  return vips::VImage(
      vips_image_new_from_memory_copy(pixels.data(), pixels.size(), width, height, 3, VIPS_FORMAT_UCHAR));
}

std::vector<std::uint8_t> rgb_of(const vips::VImage& image) {
  std::size_t size = 0;
  void* raw = image.write_to_memory(&size);
  std::vector<std::uint8_t> rgb(static_cast<std::uint8_t*>(raw), static_cast<std::uint8_t*>(raw) + size);
  g_free(raw);
  return rgb;
}

Exiv2::ExifData with_orientation(int orientation) {
  Exiv2::ExifData exif;
  exif["Exif.Image.Make"] = "Apple";
  exif["Exif.Image.Model"] = "iPhone 12 Pro";
  if (orientation > 0) {
    exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(orientation);
  }
  return exif;
}

// A JPEG of `image` as stored, tagged with `orientation`; `restart_markers` puts one after every
// MCU row (4:2:0, 16 rows), as iPhones do.
std::string jpeg_of(const vips::VImage& image, int orientation, bool restart_markers, int quality = 90) {
  auto options = vips::VImage::option()->set("Q", quality)->set("subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON);
  if (restart_markers) {
    options->set("restart_interval", (image.width() + 15) / 16);
  }
  const std::string jpeg = ipd::test::blob_bytes(image.jpegsave_buffer(options->set("strip", true)));
  return ipd::test::with_metadata(jpeg, with_orientation(orientation), Exiv2::XmpData());
}

// A HEIC grid of `image` as stored, in tile_width×tile_height tiles, shown turned by `orientation`.
std::string grid_of(const vips::VImage& image, int tile_width, int tile_height, int orientation) {
  const std::vector<std::uint8_t> rgb = rgb_of(image);
  return ipd::test::encode_heic_grid(rgb.data(), image.width(), image.height(), tile_width, tile_height,
                                     orientation, with_orientation(0), true);
}

// The stored pixels that EXIF `orientation` turns into `upright`.
vips::VImage stored_for(const vips::VImage& upright, int orientation) {
  switch (orientation) {
  case 2: return upright.fliphor();
  case 3: return upright.rot(VIPS_ANGLE_D180);
  case 4: return upright.flipver();
  case 5: return upright.rot(VIPS_ANGLE_D270).flipver();
  case 6: return upright.rot(VIPS_ANGLE_D270);
  case 7: return upright.rot(VIPS_ANGLE_D90).flipver();
  case 8: return upright.rot(VIPS_ANGLE_D90);
  default: return upright;
  }
}

// An iPhone 12 MP grid at a quarter of its size: 1008×756 in 128×128 tiles, 8×6 of them with the
// last column and row cut short as on the phone (4032×3024 in 512×512).
constexpr int k_quarter_width = 1008;
constexpr int k_quarter_height = 756;
constexpr int k_quarter_tile = 128;

double largest_difference(const Sample& a, const Sample& b) {
  int largest = 0;
  for (std::size_t i = 0; i < ipd::k_sample_values; ++i) {
    largest = std::max(largest, std::abs(int{a.grey[i]} - int{b.grey[i]}));
  }
  return largest;
}

} // namespace

TEST_CASE("each region of a sample lies in one tile of either iPhone grid however the picture is turned") {
  struct Grid {
    const char* name;
    int width;
    int height;
    int tile_width;
    int tile_height;
  };
  const std::vector<Grid> grids = {{"12 MP", 4032, 3024, 512, 512},
                                   {"12 MP stored portrait", 3024, 4032, 512, 512},
                                   {"24 MP", 5712, 4284, 640, 896},
                                   {"12 MP square", 3024, 3024, 512, 512}};
  for (const Grid& grid : grids) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
      CAPTURE(grid.name);
      CAPTURE(orientation);
      const auto frame = ipd::sampling::Frame::whole(grid.width, grid.height,
                                                     ipd::sampling::turn_of_orientation(orientation));
      std::set<std::pair<int, int>> tiles;
      for (const ipd::sampling::Box& box : ipd::sampling::stored_regions(frame)) {
        const int column = static_cast<int>(box.x0) / grid.tile_width;
        const int row = static_cast<int>(box.y0) / grid.tile_height;
        CHECK(box.x1 <= (column + 1) * grid.tile_width);
        CHECK(box.y1 <= (row + 1) * grid.tile_height);
        // Big enough to see detail: at least 300 pixels a side, 18 per cell.
        CHECK(box.width() >= 300);
        CHECK(box.height() >= 300);
        tiles.emplace(column, row);
      }
      CHECK(tiles.size() == ipd::k_sample_regions);
    }
  }
}

TEST_CASE("the regions follow the upright picture: turning the stored picture turns them with it") {
  // Region 0 is the upright top left: for orientation 6 (stored turned 90° counter-clockwise),
  // that is the stored bottom left.
  const auto upright = ipd::sampling::stored_regions(
      ipd::sampling::Frame::whole(3024, 4032, ipd::sampling::turn_of_orientation(1)));
  const auto turned = ipd::sampling::stored_regions(
      ipd::sampling::Frame::whole(4032, 3024, ipd::sampling::turn_of_orientation(6)));
  CHECK(upright[0].x0 < 1512);
  CHECK(upright[0].y0 < 2016);
  CHECK(turned[0].x0 < 2016);
  CHECK(turned[0].y0 > 1512);
  CHECK(turned[0].width() == doctest::Approx(upright[0].height()));
  CHECK(turned[0].height() == doctest::Approx(upright[0].width()));
  // Composing a quarter turn with its inverse leaves the picture as it was.
  const auto quarter = ipd::sampling::turn_of_orientation(6);
  CHECK(ipd::sampling::compose(ipd::sampling::turn_of_orientation(8), quarter) == ipd::sampling::Turn{});
  CHECK(ipd::sampling::compose(quarter, quarter) == ipd::sampling::turn_of_orientation(3));
}

TEST_CASE(
    "a tiled HEIC and its JPEGs and turned and downscaled copies sample the same from few tiles and rows") {
  // The upright picture is portrait; the camera stores it landscape with a quarter turn (irot 270 =
  // EXIF 6), as iPhones do.
  const vips::VImage upright = picture(k_quarter_height, k_quarter_width, 21);
  const vips::VImage stored = stored_for(upright, 6);
  const Sampled heic = sample_of(grid_of(stored, k_quarter_tile, k_quarter_tile, 6), Format::heic);
  CHECK(heic.report.path == SamplePath::heif_tiles);
  CHECK(heic.report.tiles_total == 48);
  CHECK(heic.report.tiles_decoded == 4);
  CHECK(heic.sample.aspect == doctest::Approx(756.0 / 1008.0));

  struct Copy {
    const char* what;
    std::string bytes;
    Format format;
    SamplePath path;
  };
  const std::vector<Copy> copies = {
      {"upright HEIC grid", grid_of(upright, k_quarter_tile, k_quarter_tile, 1), Format::heic,
       SamplePath::heif_tiles},
      {"converted JPEG with restart markers", jpeg_of(upright, 1, true), Format::jpeg, SamplePath::jpeg_rows},
      {"JPEG stored turned, EXIF orientation 6", jpeg_of(stored, 6, true), Format::jpeg,
       SamplePath::jpeg_rows},
      {"re-save at 95 %, q75, no restart markers", jpeg_of(upright.resize(0.95), 1, false, 75), Format::jpeg,
       SamplePath::jpeg_skip},
      {"half-size copy", jpeg_of(upright.resize(0.5), 1, false, 85), Format::jpeg, SamplePath::jpeg_skip},
  };
  for (const Copy& copy : copies) {
    CAPTURE(copy.what);
    const Sampled other = sample_of(copy.bytes, copy.format);
    CHECK(other.report.path == copy.path);
    if (copy.path == SamplePath::jpeg_rows || copy.path == SamplePath::jpeg_skip) {
      CHECK(other.report.rows_decoded < other.report.rows_total / 2);
    }
    const double distance = ipd::sample_distance(heic.sample, other.sample);
    CAPTURE(distance);
    CHECK(ipd::sample_verdict(heic.sample, other.sample) == SampleVerdict::same);
  }
}

TEST_CASE("a crop and a local edit and another picture sample different") {
  const vips::VImage upright = picture(k_quarter_width, k_quarter_height, 33);
  const Sampled heic = sample_of(grid_of(upright, k_quarter_tile, k_quarter_tile, 1), Format::heic);
  // The central 80 % of each side: the aspect ratio is the same, the content under the regions not.
  const vips::VImage crop = upright.crop(101, 76, 806, 604);
  // A local edit: the top-left quarter of the picture brightened (a region of the sample is in it).
  const vips::VImage brighter = (upright.crop(0, 0, 504, 378) * 1.25 + 10).cast(VIPS_FORMAT_UCHAR);
  const vips::VImage edit = upright.insert(brighter, 0, 0);
  const vips::VImage other = picture(k_quarter_width, k_quarter_height, 34);
  for (const auto& [what, image] :
       {std::pair{"crop", crop}, std::pair{"local edit", edit}, std::pair{"another picture", other}}) {
    CAPTURE(what);
    const Sampled copy = sample_of(jpeg_of(image, 1, true), Format::jpeg);
    CHECK(ipd::aspects_match(heic.sample.aspect, copy.sample.aspect));
    CAPTURE(ipd::sample_distance(heic.sample, copy.sample));
    CHECK(ipd::sample_verdict(heic.sample, copy.sample) == SampleVerdict::different);
  }
  // The same picture as a JPEG is the same.
  CHECK(ipd::sample_verdict(heic.sample, sample_of(jpeg_of(upright, 1, true), Format::jpeg).sample) ==
        SampleVerdict::same);
}

TEST_CASE("the tile and row paths give the sample of the full decode in every orientation") {
  const vips::VImage upright = picture(k_quarter_width, k_quarter_height, 45);
  const Sampled reference = sample_of(jpeg_of(upright, 1, true), Format::jpeg);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    CAPTURE(orientation);
    const vips::VImage stored = stored_for(upright, orientation);
    const std::vector<std::pair<std::string, Format>> files = {
        {grid_of(stored, k_quarter_tile, k_quarter_tile, orientation), Format::heic},
        {jpeg_of(stored, orientation, true), Format::jpeg},
        {jpeg_of(stored, orientation, false), Format::jpeg},
    };
    for (const auto& [bytes, format] : files) {
      CAPTURE(format_name(format));
      const Sampled fast = sample_of(bytes, format);
      const Sampled full = sample_of(bytes, format, ipd::SampleSource::full_decode);
      CAPTURE(static_cast<int>(fast.report.path));
      CHECK(fast.report.path != SamplePath::full_decode);
      CHECK(full.report.path == SamplePath::full_decode);
      CHECK(fast.sample.aspect == full.sample.aspect);
      CHECK(largest_difference(fast.sample, full.sample) <= 1);
      CHECK(ipd::sample_distance(fast.sample, full.sample) < 0.1);
      // Turned upright, it is the picture the upright JPEG shows.
      CHECK(ipd::sample_verdict(reference.sample, fast.sample) == SampleVerdict::same);
    }
  }
}

TEST_CASE("a 24 MP grid in 640x896 tiles decodes one tile per region too") {
  // 5712×4284 in 640×896 tiles, at a quarter: 1428×1071 in 160×224 (9×5 tiles).
  const vips::VImage upright = picture(1071, 1428, 52);
  const Sampled heic = sample_of(grid_of(stored_for(upright, 6), 160, 224, 6), Format::heic);
  CHECK(heic.report.path == SamplePath::heif_tiles);
  CHECK(heic.report.tiles_total == 45);
  CHECK(heic.report.tiles_decoded == 4);
  CHECK(ipd::sample_verdict(heic.sample, sample_of(jpeg_of(upright, 1, true), Format::jpeg).sample) ==
        SampleVerdict::same);
}

TEST_CASE("a HEIC that is not a grid and a PNG fall back to the full decode and still compare") {
  const vips::VImage upright = picture(640, 480, 61);
  const std::vector<std::uint8_t> rgb = rgb_of(upright);
  const std::string single =
      ipd::test::encode_heic(rgb.data(), 640, 480, 1, with_orientation(0), Exiv2::XmpData(), true);
  const std::string png = ipd::test::blob_bytes(upright.pngsave_buffer());
  const Sampled jpeg = sample_of(jpeg_of(upright, 1, true), Format::jpeg);
  const Sampled heic = sample_of(single, Format::heic);
  const Sampled flat = sample_of(png, Format::png);
  CHECK(heic.report.path == SamplePath::full_decode);
  CHECK(heic.report.fallback == "not a grid");
  CHECK(flat.report.path == SamplePath::full_decode);
  CHECK(ipd::sample_verdict(jpeg.sample, heic.sample) == SampleVerdict::same);
  CHECK(ipd::sample_verdict(jpeg.sample, flat.sample) == SampleVerdict::same);
  CHECK(ipd::sample_verdict(heic.sample, flat.sample) == SampleVerdict::same);
  const Sampled other = sample_of(ipd::test::blob_bytes(picture(640, 480, 62).pngsave_buffer()), Format::png);
  CHECK(ipd::sample_verdict(jpeg.sample, other.sample) == SampleVerdict::different);
}

TEST_CASE("undecodable bytes give a sample error and never a crash") {
  const vips::VImage upright = picture(320, 240, 71);
  const std::string jpeg = jpeg_of(upright, 1, true);
  const std::string heic = grid_of(upright, 64, 64, 1);
  const std::string garbage(5000, '\x5a');
  struct Case {
    const char* label;
    std::string bytes;
    Format format;
  };
  std::string bad_markers = jpeg;
  for (std::size_t i = bad_markers.size() / 4; i + 1 < bad_markers.size(); ++i) {
    if (static_cast<unsigned char>(bad_markers[i]) == 0xff && (bad_markers[i + 1] & 0xf8) == 0xd0) {
      bad_markers[i + 1] = static_cast<char>(0xd0 + ((bad_markers[i + 1] + 3) & 7)); // out of order
      break;
    }
  }
  const std::vector<Case> cases = {
      {"empty", "", Format::jpeg},
      {"garbage as JPEG", garbage, Format::jpeg},
      {"garbage as HEIC", garbage, Format::heic},
      {"garbage as PNG", garbage, Format::png},
      {"JPEG header only", jpeg.substr(0, 200), Format::jpeg},
      {"truncated JPEG with restart markers", jpeg.substr(0, jpeg.size() / 2), Format::jpeg},
      {"truncated HEIC grid", heic.substr(0, heic.size() / 2), Format::heic},
      {"JPEG called HEIC", jpeg, Format::heic},
      {"a RAW file", jpeg, Format::dng},
      {"a movie", jpeg, Format::mov},
  };
  for (const Case& c : cases) {
    CAPTURE(c.label);
    Sample sample;
    SampleReport report;
    std::string error;
    CHECK_FALSE(ipd::compute_sample_from(bytes_of(c.bytes), c.format, ipd::SampleSource::automatic, sample,
                                         report, error));
    CHECK_FALSE(error.empty());
    CHECK(sample == Sample{});
  }
  // A restart marker out of order: libjpeg warns, so the full decode gives the sample.
  const Sampled good = sample_of(jpeg, Format::jpeg);
  const Sampled reordered = sample_of(bad_markers, Format::jpeg);
  CHECK(good.report.path == SamplePath::jpeg_rows);
  CHECK(reordered.report.path == SamplePath::full_decode);
}

TEST_CASE("samples computed on several threads at once equal the serial ones") {
  std::vector<std::pair<std::string, Format>> inputs;
  for (unsigned seed = 0; seed < 3; ++seed) {
    const vips::VImage upright = picture(k_quarter_width, k_quarter_height, 80 + seed);
    inputs.emplace_back(jpeg_of(upright, 1, true), Format::jpeg);
    inputs.emplace_back(jpeg_of(stored_for(upright, 8), 8, false), Format::jpeg);
    inputs.emplace_back(grid_of(stored_for(upright, 6), k_quarter_tile, k_quarter_tile, 6), Format::heic);
  }
  std::vector<Sample> serial;
  for (const auto& [bytes, format] : inputs) {
    serial.push_back(sample_of(bytes, format).sample);
  }
  constexpr int k_threads = 4;
  std::vector<std::vector<Sample>> parallel(k_threads);
  std::vector<int> failures(k_threads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& [bytes, format] : inputs) {
        Sample sample;
        SampleReport report;
        std::string error;
        if (!ipd::compute_sample_from(bytes_of(bytes), format, ipd::SampleSource::automatic, sample, report,
                                      error)) {
          ++failures[static_cast<std::size_t>(t)];
        }
        parallel[static_cast<std::size_t>(t)].push_back(sample);
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

TEST_CASE("the verdict: same below the band and different above it and undecided in it") {
  CHECK(ipd::sample_verdict(0.0) == SampleVerdict::same);
  CHECK(ipd::sample_verdict(std::nextafter(ipd::k_sample_same_below, 0.0)) == SampleVerdict::same);
  CHECK(ipd::sample_verdict(ipd::k_sample_same_below) == SampleVerdict::undecided);
  CHECK(ipd::sample_verdict(ipd::k_sample_different_above) == SampleVerdict::undecided);
  CHECK(ipd::sample_verdict(std::nextafter(ipd::k_sample_different_above, 255.0)) ==
        SampleVerdict::different);
  CHECK(ipd::sample_verdict(std::numeric_limits<double>::quiet_NaN()) == SampleVerdict::undecided);
  Sample a;
  Sample b;
  a.aspect = b.aspect = 4.0f / 3.0f;
  for (std::size_t i = 0; i < ipd::k_sample_values; ++i) {
    a.grey[i] = static_cast<std::uint8_t>(i % 200);
    b.grey[i] = static_cast<std::uint8_t>(i % 200 + 20); // a uniform brightness shift
  }
  CHECK(ipd::sample_distance(a, b) == doctest::Approx(0.0));
  CHECK(ipd::sample_verdict(a, b) == SampleVerdict::same);
  b.aspect = 3.0f / 4.0f;
  CHECK(ipd::sample_verdict(a, b) == SampleVerdict::different);
}

TEST_CASE("a sample survives its catalog encoding and other layouts and sizes are refused") {
  const Sample original = sample_of(jpeg_of(picture(300, 200, 91), 1, true), Format::jpeg).sample;
  const std::string encoded = ipd::encode_sample(original);
  CHECK(encoded.size() == ipd::k_sample_bytes);
  Sample decoded;
  REQUIRE(ipd::decode_sample(encoded, decoded));
  CHECK(decoded == original);
  CHECK(decoded.aspect == doctest::Approx(1.5));

  Sample untouched;
  CHECK_FALSE(ipd::decode_sample("", untouched));
  CHECK_FALSE(ipd::decode_sample(encoded.substr(1), untouched));
  CHECK_FALSE(ipd::decode_sample(encoded + "x", untouched));
  std::string other_layout = encoded;
  other_layout[0] = static_cast<char>(ipd::k_sample_layout_version + 1);
  CHECK_FALSE(ipd::decode_sample(other_layout, untouched));
  std::string nan = encoded;
  nan.replace(1 + ipd::k_sample_values, 4, std::string("\x00\x00\xc0\x7f", 4));
  CHECK_FALSE(ipd::decode_sample(nan, untouched));
  CHECK(untouched == Sample{});
}

TEST_CASE(
    "corpus: real iPhone files sample from 4 tiles and restart rows with copies same and others different") {
  const std::filesystem::path corpus = ipd::test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("real corpus not found: skipped");
    return;
  }
  auto load = [&](const char* name) { return ipd::test::read_file(corpus / name); };
  ipd::init_fingerprints();
  SUBCASE("a 12 MP and a 24 MP HEIC decode 4 tiles, as the full decode would sample them") {
    for (const char* name : {"osxp_IMG_6161.HEIC", "osxp_IMG_4580.HEIC", "osxp_IMG_3582.HEIC"}) {
      CAPTURE(name);
      const std::string bytes = load(name);
      const Sampled fast = sample_of(bytes, Format::heic);
      CHECK(fast.report.path == SamplePath::heif_tiles);
      CHECK(fast.report.tiles_decoded == 4);
      CHECK(fast.report.tiles_total >= 45);
      const Sampled full = sample_of(bytes, Format::heic, ipd::SampleSource::full_decode);
      CHECK(largest_difference(fast.sample, full.sample) <= 1);
    }
  }
  SUBCASE("an iPhone JPEG decodes only the restart intervals under the regions") {
    const Sampled jpeg = sample_of(load("osxp_IMG_4179.jpeg"), Format::jpeg);
    CHECK(jpeg.report.path == SamplePath::jpeg_rows);
    CHECK(jpeg.report.rows_decoded < jpeg.report.rows_total / 3);
    const Sampled takeout = sample_of(load("osxp_takeout2021_IMG_4179.jpeg"), Format::jpeg);
    CHECK(ipd::sample_verdict(jpeg.sample, takeout.sample) == SampleVerdict::same);
  }
  SUBCASE("a HEIC and the JPEG converted from it sample the same; a re-save and a 2048-px copy too") {
    const std::string heic = load("osxp_IMG_4580.HEIC");
    const vips::VImage upright =
        ipd::test::in_memory_without_profile(vips::VImage::new_from_buffer(heic.data(), heic.size(), ""));
    const Sampled original = sample_of(heic, Format::heic);
    for (const std::string& copy : {jpeg_of(upright, 1, true), jpeg_of(upright.resize(0.95), 1, false, 75),
                                    jpeg_of(upright.resize(2048.0 / 4032.0), 1, false, 85)}) {
      CHECK(ipd::sample_verdict(original.sample, sample_of(copy, Format::jpeg).sample) ==
            SampleVerdict::same);
    }
  }
  SUBCASE("burst frames, the HDR pair and edited renders are different") {
    const std::vector<std::pair<const char*, const char*>> negatives = {
        {"osxp_IMG_0658.JPG", "osxp_IMG_0664.JPG"},
        {"ianare_iphone_hdr_NO.jpg", "ianare_iphone_hdr_YES.jpg"},
        {"osxp_IMG_3582.HEIC", "osxp_IMG_3582_edited.heic"},
        {"osxp_IMG_4179.jpeg", "osxp_takeout2021_IMG_4179-edited.jpeg"},
    };
    for (const auto& [a, b] : negatives) {
      CAPTURE(a);
      const auto format = [](const char* name) {
        return std::string_view(name).find("HEIC") != std::string_view::npos ||
                       std::string_view(name).find("heic") != std::string_view::npos
                   ? Format::heic
                   : Format::jpeg;
      };
      CHECK(ipd::sample_verdict(sample_of(load(a), format(a)).sample, sample_of(load(b), format(b)).sample) ==
            SampleVerdict::different);
    }
  }
}
