#include "index/read/metadata.hpp"
#include "tests/support/media.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Parses a copy of `bytes` held in a buffer of exactly that size, so that the sanitizers catch
// any read past the end.
std::optional<ipd::AppleMakerNote> parse_exact(const std::vector<std::uint8_t>& bytes) {
  auto exact = std::make_unique<std::uint8_t[]>(bytes.size() + (bytes.empty() ? 1 : 0));
  std::copy(bytes.begin(), bytes.end(), exact.get());
  return ipd::parse_apple_makernote({exact.get(), bytes.size()});
}

constexpr const char* k_content_id = "602FEBB7-6B59-4799-96E6-9C8484D873C7";
constexpr const char* k_burst_id = "A1B2C3D4-0000-4000-8000-123456789ABC";

} // namespace

TEST_CASE("an Apple MakerNote yields its content identifier and BurstUUID") {
  const std::string note = ipd::test::apple_makernote_bytes(k_content_id, k_burst_id);
  const auto parsed = ipd::parse_apple_makernote(bytes_of(note));
  REQUIRE(parsed);
  CHECK(parsed->content_id == k_content_id);
  CHECK(parsed->burst_id == k_burst_id);
}

TEST_CASE("an Apple MakerNote without ids is still recognised") {
  const auto parsed = ipd::parse_apple_makernote(bytes_of(ipd::test::apple_makernote_bytes("", "")));
  REQUIRE(parsed);
  CHECK(parsed->content_id.empty());
  CHECK(parsed->burst_id.empty());

  const auto only_content =
      ipd::parse_apple_makernote(bytes_of(ipd::test::apple_makernote_bytes(k_content_id, "")));
  REQUIRE(only_content);
  CHECK(only_content->content_id == k_content_id);
  CHECK(only_content->burst_id.empty());
}

TEST_CASE("a short id is read from the entry's inline value") {
  const auto parsed = ipd::parse_apple_makernote(bytes_of(ipd::test::apple_makernote_bytes("ab", "xyz")));
  REQUIRE(parsed);
  CHECK(parsed->content_id == "ab");
  CHECK(parsed->burst_id == "xyz");
}

TEST_CASE("bytes that are not an Apple MakerNote give nullopt") {
  CHECK_FALSE(ipd::parse_apple_makernote({}));
  CHECK_FALSE(ipd::parse_apple_makernote(bytes_of(std::string("Canon\0\0\0\0\0\0\0\0\0\0\0", 16))));
  CHECK_FALSE(ipd::parse_apple_makernote(bytes_of(std::string("Apple iOS\0", 10))));
  std::string wrong_order = ipd::test::apple_makernote_bytes(k_content_id, "");
  wrong_order[12] = 'X';
  CHECK_FALSE(ipd::parse_apple_makernote(bytes_of(wrong_order)));
  CHECK_FALSE(ipd::parse_apple_makernote(bytes_of(std::string(64, '\0'))));
}

TEST_CASE("an id pointing outside the MakerNote is dropped and not read") {
  std::string note = ipd::test::apple_makernote_bytes(k_content_id, "");
  // Entry 1 (0x0011) is at 16 + 12; its offset field is at +8.
  const std::size_t offset_field = 16 + 12 + 8;
  note[offset_field] = '\x7f';
  const auto parsed = ipd::parse_apple_makernote(bytes_of(note));
  REQUIRE(parsed);
  CHECK(parsed->content_id.empty());
}

TEST_CASE("an entry count larger than the MakerNote stops at its end") {
  std::string note = ipd::test::apple_makernote_bytes(k_content_id, k_burst_id);
  note[14] = '\xff';
  note[15] = '\xff';
  const auto parsed = ipd::parse_apple_makernote(bytes_of(note));
  REQUIRE(parsed);
  CHECK(parsed->burst_id == k_burst_id);
}

TEST_CASE("truncated or bit-flipped or random MakerNotes never read out of bounds") {
  const std::string base = ipd::test::apple_makernote_bytes(k_content_id, k_burst_id);
  const std::vector<std::uint8_t> original(base.begin(), base.end());
  for (std::size_t length = 0; length <= original.size(); ++length) {
    const auto parsed =
        parse_exact({original.begin(), original.begin() + static_cast<std::ptrdiff_t>(length)});
    if (length >= 16) {
      CHECK(parsed.has_value());
    }
  }
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  int recognised = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::uint8_t> mutated = original;
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) {
      const std::size_t at = static_cast<std::size_t>(random()) % mutated.size();
      mutated[at] = static_cast<std::uint8_t>(mutated[at] ^ (1u << (random() % 8)));
    }
    if (round % 3 == 0) {
      mutated.resize(static_cast<std::size_t>(random()) % (mutated.size() + 1));
    }
    const auto parsed = parse_exact(mutated);
    recognised += parsed.has_value() ? 1 : 0;
    if (parsed) {
      CHECK(parsed->content_id.size() <= mutated.size());
      CHECK(parsed->burst_id.size() <= mutated.size());
    }
  }
  CHECK(recognised > 0);
  for (int round = 0; round < 5000; ++round) {
    std::vector<std::uint8_t> noise(static_cast<std::size_t>(random()) % 256);
    for (std::uint8_t& b : noise) {
      b = static_cast<std::uint8_t>(byte(random));
    }
    if (round % 2 == 0 && noise.size() >= 16) {
      std::copy(original.begin(), original.begin() + 14, noise.begin());
    }
    (void)parse_exact(noise);
  }
}
