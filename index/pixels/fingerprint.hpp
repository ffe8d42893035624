// Content fingerprints of stills (docs/DESIGN.md §5, §10): the auto-rotated image shrunk to 32×32 grey,
// plus its aspect ratio, and a whole-image comparison for --full-compare. All functions decode
// from bytes the caller has read (never from a path), never throw, and are safe to call from
// several threads at once. The decoding functions live in fingerprint.cpp (libvips); the pure
// ones (distance, aspects, catalog form) are inline here, so code that only compares stored
// fingerprints needs no libvips.
#pragma once

#include "index/core/record.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace ipd {

inline constexpr int k_fingerprint_side = 32;
inline constexpr std::size_t k_fingerprint_pixels = 1024; // k_fingerprint_side²
inline constexpr std::size_t k_fingerprint_bytes = k_fingerprint_pixels + 4;

// Default --threshold: the largest fingerprint distance still taken for the same capture.
// Calibrated on the real corpus (tests/calibrate_fingerprints.cpp): true copies (HEIC→JPEG
// conversion, q75 re-save, 2048-px downscale, metadata-only rewrites) 0.00–0.91; distinct
// pictures of one moment (edits, HDR pair, burst frames) 2.41 and more.
inline constexpr double k_default_fingerprint_threshold = 1.5;
// Default percentage threshold of --full-compare (full_compare_percent), same calibration:
// true copies 0.00–1.17 %, distinct pictures 1.91 % and more.
inline constexpr double k_default_full_compare_percent = 1.5;

struct Fingerprint {
  std::array<std::uint8_t, k_fingerprint_pixels> grey{}; // row-major 32×32, 0..255
  float aspect = 0;                                      // width/height after orientation
  bool operator==(const Fingerprint&) const = default;
};

// Where a fingerprint's pixels come from. Only `standard` is used by the tool; the others exist
// so the calibration can measure what each source costs and how much it changes the print.
enum class FingerprintSource : std::uint8_t {
  standard = 0,           // HEIC/AVIF decoded in full; JPEG with DCT shrink-on-load; others plain
  full = 1,               // every format decoded at full size
  embedded_thumbnail = 2, // HEIC/AVIF: the embedded thumbnail (heifload thumbnail=TRUE); else standard
  vips_thumbnail = 3,     // whatever vips_thumbnail_buffer picks (a HEIC's embedded thumbnail)
};

// One-time process-wide set-up of libvips: init, warnings silenced, one vips thread per call,
// operation cache off. Safe to call many times and from several threads.
void init_fingerprints();

// Computes the fingerprint of a still from its whole bytes; `format` picks the decoder. Returns
// false with a message in `error` when the image cannot be decoded (RAW formats are refused).
bool compute_fingerprint(std::span<const std::uint8_t> data, Format format, Fingerprint& out,
                         std::string& error);
// As compute_fingerprint, from the given source (for calibration and benchmarks).
bool compute_fingerprint_from(std::span<const std::uint8_t> data, Format format, FingerprintSource source,
                              Fingerprint& out, std::string& error);

// Whole-image comparison for --full-compare: both decoded at full size and auto-rotated, the
// larger resized to the smaller's size, in 8-bit sRGB; returns the mean absolute difference over
// all pixels and bands as a percentage of 255 (0..100). Returns a negative value with a message
// in `error` when either image cannot be decoded.
double full_compare_percent(std::span<const std::uint8_t> a, Format fa, std::span<const std::uint8_t> b,
                            Format fb, std::string& error);

// The version of libvips that decodes ("8.14.1"). Through the core this loads the pixels module
// (pixels_module.hpp) and sets `module` to the file it came from; when the module cannot be
// loaded, returns "" with the reason in `error`.
std::string image_decoder_version(std::string& module, std::string& error);

// The standard deviation of the per-pixel difference of the two grey thumbnails (0..255 scale).
inline double fingerprint_distance(const Fingerprint& a, const Fingerprint& b) {
  double sum = 0;
  double sum_squares = 0;
  for (std::size_t i = 0; i < k_fingerprint_pixels; ++i) {
    const double d = static_cast<double>(a.grey[i]) - static_cast<double>(b.grey[i]);
    sum += d;
    sum_squares += d * d;
  }
  const double n = static_cast<double>(k_fingerprint_pixels);
  const double mean = sum / n;
  return std::sqrt(std::max(0.0, sum_squares / n - mean * mean));
}

// Whether two aspect ratios agree within 1 % (|ln(a/b)| ≤ 0.01): a downscaled copy rounds its
// sides to whole pixels, which moves the ratio by at most 0.5/short side (0.1 % at 500 px,
// 0.5 % at 100 px), while a crop or another framing moves it by several percent. False when
// either is unknown (≤ 0 or not finite).
inline bool aspects_match(float a, float b) {
  if (!(a > 0) || !(b > 0) || !std::isfinite(a) || !std::isfinite(b)) {
    return false;
  }
  constexpr double k_aspect_tolerance = 0.01;
  return std::fabs(std::log(static_cast<double>(a) / static_cast<double>(b))) <= k_aspect_tolerance;
}

// The catalog form of a fingerprint: the 1024 grey bytes, then the aspect as a little-endian
// IEEE float (k_fingerprint_bytes = 1028 bytes).
inline std::string encode_fingerprint(const Fingerprint& print) {
  std::string bytes(k_fingerprint_bytes, '\0');
  std::memcpy(bytes.data(), print.grey.data(), k_fingerprint_pixels);
  const auto bits = std::bit_cast<std::uint32_t>(print.aspect);
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[k_fingerprint_pixels + i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return bytes;
}

// Reads encode_fingerprint's form back. Returns false (leaving `out` alone) for any other size
// or a non-finite aspect.
inline bool decode_fingerprint(std::string_view bytes, Fingerprint& out) {
  if (bytes.size() != k_fingerprint_bytes) {
    return false;
  }
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    bits |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[k_fingerprint_pixels + i])) << (8 * i);
  }
  const auto aspect = std::bit_cast<float>(bits);
  if (!std::isfinite(aspect)) {
    return false;
  }
  std::memcpy(out.grey.data(), bytes.data(), k_fingerprint_pixels);
  out.aspect = aspect;
  return true;
}

} // namespace ipd
