// Writes the seed corpus of each fuzz target, made by the test media generators (never copied
// from elsewhere), and empties the working corpus the fuzzers grow:
//   ipd_fuzz_seeds DIR    -> DIR/seeds/TARGET/*, DIR/corpus/TARGET/ (empty)
#include "tests/fuzz/formats.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/tmpdir.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ipd;
namespace fs = std::filesystem;

struct Seed {
  std::string name;
  Format format;
  std::string bytes;
};

std::vector<Seed> media() {
  const test::ExifSpec iphone =
      test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro", "602FEBB7-6B59-4799-96E6-9C8484D873C7");
  test::ExifSpec turned = iphone;
  turned.orientation = 6;
  turned.burst_id = "0F0E0D0C-1111-4222-8333-444455556666";
  test::MovieSpec movie;
  movie.creation_date = "2021-05-03T14:22:01-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  movie.content_id = "602FEBB7-6B59-4799-96E6-9C8484D873C7";
  movie.rotation = 90;
  movie.seconds = 0.2;
  return {{"iphone.jpg", Format::jpeg, test::make_jpeg(48, 32, iphone, 1)},
          {"turned.jpg", Format::jpeg, test::make_jpeg(48, 32, turned, 2)},
          {"plain.jpg", Format::jpeg, test::make_jpeg(16, 16, {}, 3)},
          {"iphone.heic", Format::heic, test::make_heic(48, 32, iphone, 4)},
          {"turned.heic", Format::heic, test::make_heic(48, 32, turned, 5)},
          {"screenshot.png", Format::png, test::make_png(32, 24, 6, "2015-09-27T16:29:28")},
          {"iphone.tif", Format::tiff, test::make_tiff(24, 16, iphone, 7)},
          {"iphone.dng", Format::dng, test::make_dng(24, 16, iphone, 8)},
          {"live.mov", Format::mov, test::make_mov(movie)},
          {"live.mp4", Format::mp4, test::make_mp4(movie)}};
}

template <std::size_t N>
void write_seeds(const fs::path& dir, const Format (&formats)[N], const std::vector<Seed>& seeds) {
  for (const Seed& seed : seeds) {
    if (std::find(std::begin(formats), std::end(formats), seed.format) != std::end(formats)) {
      test::write_file(dir / seed.name,
                       std::string(1, static_cast<char>(fuzz::selector(formats, seed.format))) + seed.bytes);
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ipd_fuzz_seeds DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  for (const char* target : {"makernote", "integrity", "still_metadata"}) {
    fs::remove_all(dir / "seeds" / target);
    fs::remove_all(dir / "corpus" / target);
    fs::create_directories(dir / "seeds" / target);
    fs::create_directories(dir / "corpus" / target);
  }
  const std::vector<Seed> seeds = media();
  write_seeds(dir / "seeds/integrity", fuzz::k_integrity_formats, seeds);
  write_seeds(dir / "seeds/still_metadata", fuzz::k_still_formats, seeds);
  const std::pair<const char*, const char*> ids[] = {
      {"602FEBB7-6B59-4799-96E6-9C8484D873C7", "0F0E0D0C-1111-4222-8333-444455556666"},
      {"602FEBB7-6B59-4799-96E6-9C8484D873C7", ""},
      {"", "AB"},
      {"", ""}};
  int n = 0;
  for (const auto& [content_id, burst_id] : ids) {
    test::write_file(dir / "seeds/makernote" / ("note" + std::to_string(n++)),
                     test::apple_makernote_bytes(content_id, burst_id));
  }
  std::printf("fuzz seeds written to %s\n", (dir / "seeds").c_str());
  return 0;
}
