// The completeness checks: a whole file passes, a cut one says how much of it is missing and
// whether its picture begins, an impossible structure is corrupt, and what the message quotes
// from the file is escaped.
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

TEST_CASE("error words 13.7: a garbled box type is corrupt and no byte of it is shown") {
  const std::string heic = test::make_heic(64, 48, test::iphone_exif(), 2);
  const auto boxes = test::bmff_boxes(heic);
  REQUIRE(boxes.size() >= 2);
  const std::string garbled = test::with_box_type(heic, boxes.size() - 1, "\n\xb8\x1b[");
  const std::string cut = garbled.substr(0, garbled.size() - 10);
  const std::string error = check(Format::heic, cut);
  CHECK(error == "corrupt: the box at byte " + std::to_string(boxes.back().at) + " has no valid type");
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

namespace {

Completeness assess(Format format, const std::string& bytes) {
  return assess_complete(format, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

std::string cut(const std::string& bytes, double share) {
  return bytes.substr(0, static_cast<std::size_t>(static_cast<double>(bytes.size()) * share));
}

// The big-endian box header of ISO-BMFF.
std::string box(std::uint32_t size, const char* type) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size >> shift) & 0xff));
  }
  return out + std::string(type, 4);
}

} // namespace

TEST_CASE("integrity: a BigTIFF written by libvips is read as complete") {
  const std::string big = test::make_bigtiff(300, 200, 3);
  REQUIRE(big.size() > 16);
  CHECK(static_cast<unsigned char>(big[2]) == 43); // BigTIFF's version, little-endian
  const Completeness whole = assess(Format::tiff, big);
  CHECK(whole.state == Completeness::State::complete);
  CHECK(whole.what == "");
  // Cut short (libtiff writes the directory after the pixels), it says so, with how much is
  // missing at least.
  const Completeness half = assess(Format::tiff, cut(big, 0.5));
  CHECK(half.state == Completeness::State::cut_short);
  CHECK(half.what.starts_with("the file is cut short: at least"));
  CHECK(half.what.find("% of it is missing") != std::string::npos);
}

TEST_CASE("integrity: a classic TIFF and a DNG are complete and their cuts are not") {
  for (const std::string& tiff :
       {test::make_dng(120, 80, test::iphone_exif(), 1), test::make_tiff(120, 80, test::iphone_exif(), 2)}) {
    CHECK(assess(Format::dng, tiff).state == Completeness::State::complete);
    CHECK(assess(Format::dng, cut(tiff, 0.5)).state == Completeness::State::cut_short);
  }
}

TEST_CASE("integrity: a JPEG cut before its end-of-image marker or in its scan shows its picture") {
  const std::string jpeg = test::make_jpeg(320, 240, test::iphone_exif(), 4);
  CHECK(assess(Format::jpeg, jpeg).state == Completeness::State::complete);
  for (const std::string& part : {jpeg.substr(0, jpeg.size() - 2), cut(jpeg, 0.8)}) {
    const Completeness c = assess(Format::jpeg, part);
    CHECK(c.state == Completeness::State::cut_short);
    CHECK(c.shows_picture);
    CHECK(c.what.starts_with("the file is cut short"));
  }
  // Cut inside its EXIF, nothing of the picture is left.
  const Completeness head = assess(Format::jpeg, jpeg.substr(0, 40));
  CHECK(head.state == Completeness::State::cut_short);
  CHECK_FALSE(head.shows_picture);
}

TEST_CASE("error words 13.7: a JPEG cut in its scan says how much is missing from its restart markers") {
  // A restart marker every 20 MCUs: dozens of intervals over the picture.
  const std::string jpeg = test::make_jpeg(320, 240, test::iphone_exif(), 5, 90, 20);
  const std::string part = cut(jpeg, 0.5);
  const Completeness c = assess(Format::jpeg, part);
  REQUIRE(c.state == Completeness::State::cut_short);
  CHECK(c.needs_kind == Completeness::Needs::about);
  const int missing = missing_percent(part.size(), c.needs);
  INFO(c.what);
  CHECK(missing >= 35);
  CHECK(missing <= 65);
  CHECK(c.what.find("about " + std::to_string(missing) + " % of it is missing") != std::string::npos);
  CHECK(c.what.find("truncated") == std::string::npos);
}

TEST_CASE("error words 13.7: a HEIC cut short in its mdat says what share of it is missing") {
  const std::string heic = test::make_heic(256, 192, test::iphone_exif(), 6);
  CHECK(assess(Format::heic, heic).state == Completeness::State::complete);
  const std::string part = cut(heic, 0.95);
  const Completeness c = assess(Format::heic, part);
  REQUIRE(c.state == Completeness::State::cut_short);
  CHECK(c.needs == heic.size()); // the mdat is the last box: it needs exactly the whole file
  CHECK(c.shows_picture);
  CHECK(c.what.starts_with(
      "the file is cut short: " + std::to_string(missing_percent(part.size(), heic.size())) +
      " % of it is missing"));
}

TEST_CASE("error words 13.7: a file cut to 29 % says 71 % of it is missing") {
  std::string file = box(16, "ftyp") + "heic" + std::string(4, '\0') + box(1000 - 16, "mdat");
  file.resize(290, 'x');
  const Completeness c = assess(Format::heic, file);
  CHECK(c.state == Completeness::State::cut_short);
  CHECK(c.what ==
        "the file is cut short: 71 % of it is missing (its 'mdat' box needs 984 bytes, the file has "
        "274 left)");
}

TEST_CASE("error words 13.7: an impossible box size or a garbled box type is corrupt") {
  const std::string ftyp = box(16, "ftyp") + "heic" + std::string(4, '\0');
  const Completeness small = assess(Format::heic, ftyp + box(3, "mdat") + "xxxx");
  CHECK(small.state == Completeness::State::corrupt);
  CHECK(small.what == "corrupt: the 'mdat' box at byte 16 has an impossible size (3 bytes)");
  std::string garbled = ftyp + box(4000, "mdat");
  garbled[20] = '\n';
  garbled[21] = '\x1b';
  const Completeness type = assess(Format::heic, garbled + "data");
  CHECK(type.state == Completeness::State::corrupt);
  CHECK(type.what == "corrupt: the box at byte 16 has no valid type");
  // A 64-bit size past any file's is garbled, not a cut.
  std::string huge = ftyp + box(1, "mdat");
  for (int i = 0; i < 8; ++i) {
    huge.push_back(static_cast<char>(i == 0 ? 0x7f : 0));
  }
  const Completeness claim = assess(Format::heic, huge + "data");
  CHECK(claim.state == Completeness::State::corrupt);
  CHECK(claim.what.find("more than any photo or movie holds") != std::string::npos);
}

TEST_CASE("error words 13.7: a PNG chunk of an impossible length is corrupt and a cut one is cut short") {
  const std::string png = test::make_png(64, 48, 7);
  CHECK(assess(Format::png, png).state == Completeness::State::complete);
  CHECK(assess(Format::png, cut(png, 0.7)).state == Completeness::State::cut_short);
  std::string bad = png;
  bad[8] = '\xff'; // the IHDR's length, now over 2^31
  CHECK(
      assess(Format::png, bad).what.starts_with("corrupt: the PNG chunk at byte 8 has an impossible length"));
}
