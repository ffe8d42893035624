#include "index/core/hash.hpp"

#include <cstring>

namespace ipd {

namespace {

constexpr std::uint64_t k_p1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t k_p2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t k_p3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t k_p4 = 0x85EBCA77C2B2AE63ULL;

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

std::uint64_t round(std::uint64_t acc, std::uint64_t input) { return rotl(acc + input * k_p2, 31) * k_p1; }

std::uint64_t avalanche(std::uint64_t h) {
  h ^= h >> 33;
  h *= k_p2;
  h ^= h >> 29;
  h *= k_p3;
  h ^= h >> 32;
  return h;
}

} // namespace

// Four independent lanes over 32-byte stripes, folded and mixed with the length and the tail.
std::uint64_t content_hash(std::span<const std::uint8_t> bytes) {
  const std::uint8_t* p = bytes.data();
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  std::uint64_t a = k_p1 + k_p2;
  std::uint64_t b = k_p2;
  std::uint64_t c = 0;
  std::uint64_t d = k_p4;
  for (; i + 32 <= n; i += 32) {
    a = round(a, load64(p + i));
    b = round(b, load64(p + i + 8));
    c = round(c, load64(p + i + 16));
    d = round(d, load64(p + i + 24));
  }
  std::uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + n;
  for (; i + 8 <= n; i += 8) {
    h = rotl(h ^ round(0, load64(p + i)), 27) * k_p1 + k_p4;
  }
  for (; i < n; ++i) {
    h = rotl(h ^ (p[i] * k_p3), 11) * k_p1;
  }
  h = avalanche(h);
  return h == 0 ? 1 : h;
}

} // namespace ipd
