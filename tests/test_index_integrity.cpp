// The completeness checks: a whole file passes, a cut one says where it ends, and what the
// message quotes from the file is escaped.
#include "index/read/integrity.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/mutate.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <string>

using namespace ipd;

namespace {

// check_complete over a copy of `bytes` held in a buffer of exactly that size, so that the
// sanitizers catch any read past the end.
std::string check(Format format, const std::string& bytes) {
  auto exact = std::make_unique<std::uint8_t[]>(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  return check_complete(format, std::span<const std::uint8_t>(exact.get(), bytes.size()));
}

struct Sample {
  Format format;
  std::string bytes;
};

std::vector<Sample> samples() {
  const test::ExifSpec exif = test::iphone_exif();
  test::MovieSpec movie;
  movie.creation_date = "2021-05-03T14:22:01-0700";
  return {{Format::jpeg, test::make_jpeg(64, 48, exif, 1)},
          {Format::heic, test::make_heic(64, 48, exif, 1)},
          {Format::png, test::make_png(64, 48, 1, "2015-09-27T16:29:28")},
          {Format::tiff, test::make_tiff(64, 48, exif, 1)},
          {Format::dng, test::make_dng(64, 48, exif, 1)},
          {Format::mov, test::make_mov(movie)}};
}

bool has_control_byte(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("completeness: whole generated files pass and every cut of them is caught") {
  for (const Sample& s : samples()) {
    INFO(format_name(s.format));
    CHECK(check(s.format, s.bytes) == "");
    // Every cut is caught, but for two that the structure alone cannot tell: a TIFF's last bytes
    // may be unreferenced, and an ISO-BMFF file cut exactly between two top-level boxes is whole
    // boxes (the metadata readers then find what is missing).
    std::set<std::size_t> box_ends;
    for (const test::Header& box : test::bmff_boxes(s.bytes)) {
      box_ends.insert(box.at);
    }
    for (std::size_t length = 1; length + 1 < s.bytes.size(); length += 1 + length / 16) {
      const std::string error = check(s.format, s.bytes.substr(0, length));
      if (s.format != Format::tiff && s.format != Format::dng && !box_ends.contains(length)) {
        INFO(length);
        CHECK(!error.empty());
      }
      CHECK(!has_control_byte(error));
    }
  }
}

TEST_CASE("completeness: a cut box's garbled type is escaped in the error") {
  const std::string heic = test::make_heic(64, 48, test::iphone_exif(), 2);
  const auto boxes = test::bmff_boxes(heic);
  REQUIRE(boxes.size() >= 2);
  const std::string garbled = test::with_box_type(heic, boxes.size() - 1, "\n\xb8\x1b[");
  const std::string cut = garbled.substr(0, garbled.size() - 10);
  const std::string error = check(Format::heic, cut);
  CHECK(error.starts_with("truncated: the '\\x0a\\xb8\\x1b[' box needs "));
  CHECK(!has_control_byte(error));
}

TEST_CASE("completeness: mutants of every format give no control character and no overread") {
  std::mt19937 rng(13);
  for (const Sample& s : samples()) {
    for (int i = 0; i < 200; ++i) {
      const test::Mutant m = test::mutate(s.bytes, rng);
      for (Format as : {s.format, Format::heic, Format::jpeg, Format::png, Format::tiff}) {
        const std::string error = check(as, m.bytes);
        INFO(format_name(s.format), " ", m.what, " as ", format_name(as), ": ", error);
        CHECK(!has_control_byte(error));
      }
    }
  }
}
