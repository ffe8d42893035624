// The sampled content check of stills (docs/DESIGN.md §5, §10): instead of decoding a whole picture, a
// sample reads four fixed regions of the upright picture at full detail — on an iPhone HEIC
// grid one HEVC tile each, on a JPEG the rows (restart intervals) that cover them — and reduces
// each to 16×16 grey cells. Two copies of one picture sample the same part of it whatever their
// format, size and orientation, so their samples are comparable; `sample_verdict` tells from
// the distance whether two pictures are clearly the same, clearly different, or in the band
// between, where the whole pictures must be compared (fingerprint.hpp).
//
// The decoding functions live in the pixels module (sample.cpp, sample_heif.cpp,
// sample_jpeg.cpp); they decode from bytes the caller has read (never from a path), never throw,
// and are safe to call from several threads at once. The pure ones (distance, verdict, catalog
// form) are inline here and need no decoder.
#pragma once

#include "index/core/record.hpp"
#include "index/pixels/fingerprint.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace ipd {

inline constexpr int k_sample_regions = 4;
inline constexpr int k_sample_side = 16;                   // cells per region side
inline constexpr std::size_t k_sample_region_cells = 256;  // k_sample_side²
inline constexpr std::size_t k_sample_values = 1024;       // k_sample_regions · k_sample_region_cells
inline constexpr std::uint8_t k_sample_layout_version = 1; // which regions and cells (sample_layout.hpp)
inline constexpr std::size_t k_sample_bytes = 1 + k_sample_values + 4;

struct Sample {
  // Region by region (sample_layout.hpp), each 16×16 row-major, upright, 0..255: the exact area
  // average of the region's cell in Rec.601 luma of the 8-bit RGB values.
  std::array<std::uint8_t, k_sample_values> grey{};
  float aspect = 0; // width/height of the upright picture
  bool operator==(const Sample&) const = default;
};

// How compute_sample_from decodes. Only `automatic` is used by the tool; `full_decode` exists so
// tests and the calibration can compare the two ways on the same file.
enum class SampleSource : std::uint8_t {
  automatic = 0,   // the cheapest way the file allows (below), else as full_decode
  full_decode = 1, // the whole picture decoded through libvips, the regions taken from it
};

// The way a sample was decoded.
enum class SamplePath : std::uint8_t {
  full_decode = 0, // libvips decoded the picture (JPEG: with DCT shrink-on-load)
  heif_tiles = 1,  // libheif decoded only the grid tiles that cover the regions
  jpeg_rows = 2,   // libjpeg decoded only the restart intervals that cover the regions
  jpeg_skip = 3,   // libjpeg skipped the other rows (a JPEG without usable restart markers)
};

// What one compute_sample_from call did (for tests, the calibration and timings).
struct SampleReport {
  SamplePath path = SamplePath::full_decode;
  std::uint32_t tiles_decoded = 0; // heif_tiles: grid tiles decoded
  std::uint32_t tiles_total = 0;   // heif_tiles: tiles in the grid
  std::uint32_t rows_decoded = 0;  // jpeg_rows, jpeg_skip: stored rows decoded (at full size)
  std::uint32_t rows_total = 0;    // jpeg_rows, jpeg_skip: stored rows in the picture
  int scale_denom = 1;             // JPEG: the DCT scaling used (1, 2, 4 or 8)
  std::string fallback;            // why a cheaper path was not taken; empty when none was possible
};

// Computes the sample of a still from its whole bytes; `format` picks the decoder. Returns
// false with a message in `error` when the image cannot be decoded (RAW formats are refused).
// Peak memory beyond the caller's bytes: one decoded tile (512×512 RGB: 0.8 MB; 640×896: 1.7 MB)
// and libheif's tile decoder; for a JPEG with restart markers a copy of the selected intervals
// (about a fifth of the file) and a few decoded rows; without restart markers a few rows (a
// progressive JPEG: libjpeg's coefficient buffer of the whole picture, 2 bytes per sample); in
// the full_decode fallback what libvips holds to stream the picture (a whole HEIC).
bool compute_sample(std::span<const std::uint8_t> data, Format format, Sample& out, std::string& error);
// As compute_sample, from the given source, saying in `report` how it was decoded.
bool compute_sample_from(std::span<const std::uint8_t> data, Format format, SampleSource source, Sample& out,
                         SampleReport& report, std::string& error);

// The standard deviation of the difference of the two samples' values (0..255 scale).
inline double sample_distance(const Sample& a, const Sample& b) {
  double sum = 0;
  double sum_squares = 0;
  for (std::size_t i = 0; i < k_sample_values; ++i) {
    const double d = static_cast<double>(a.grey[i]) - static_cast<double>(b.grey[i]);
    sum += d;
    sum_squares += d * d;
  }
  const double n = static_cast<double>(k_sample_values);
  const double mean = sum / n;
  return std::sqrt(std::max(0.0, sum_squares / n - mean * mean));
}

enum class SampleVerdict : std::uint8_t {
  same = 0,      // clearly the same picture: no need to decode the whole pictures
  undecided = 1, // in the band between: compare whole-picture fingerprints
  different = 2, // clearly different pictures
};

// The band of sample distances where the whole pictures decide, calibrated on the real corpus
// (scripts/calibrate-fingerprints): true copies sample 0.00–0.62 (the JPEG converted from a
// HEIC, a q75 re-save, a 2048-px downscale, metadata-only rewrites), and 1.18 for a 1296-px
// JPEG blown up to 2048 px, which the band catches; distinct pictures of one moment with the
// same aspect ratio 2.81 (a Google Photos edit), 3.92 (an Apple Photos edit), 10.7 (burst
// frames), 23 (the HDR pair), 26 and more (80 % crops). The smallest distinct distance is 2.8×
// k_sample_same_below; the largest true copy is 1/1.7 of k_sample_different_above.
inline constexpr double k_sample_same_below = 1.0;
inline constexpr double k_sample_different_above = 2.0;

// Below this long side (pixels), a region's 16×16 cells hold fewer than about 5×5 pixels of the
// picture, so a small copy aliases and its sample can look clearly different from its original's
// (measured on generated 640-px pictures and their 320-px copies: distances above 2). A pair with
// such a picture is never refused by its samples: the whole pictures decide.
inline constexpr std::uint32_t k_sample_min_long_side = 1024;

// The verdict of a sample distance: `same` below k_sample_same_below, `different` above
// k_sample_different_above, `undecided` between (and for a distance that is not a number).
inline SampleVerdict sample_verdict(double distance) {
  if (distance < k_sample_same_below) {
    return SampleVerdict::same;
  }
  if (distance > k_sample_different_above) {
    return SampleVerdict::different;
  }
  return SampleVerdict::undecided;
}

// The verdict of two samples: `different` when the upright aspect ratios do not match (a crop,
// another framing: the regions then cover other parts of the picture), else from the distance.
inline SampleVerdict sample_verdict(const Sample& a, const Sample& b) {
  if (!aspects_match(a.aspect, b.aspect)) {
    return SampleVerdict::different;
  }
  return sample_verdict(sample_distance(a, b));
}

// The catalog form of a sample: the layout version, the 1024 grey bytes, then the aspect as a
// little-endian IEEE float (k_sample_bytes = 1029 bytes).
inline std::string encode_sample(const Sample& sample) {
  std::string bytes(k_sample_bytes, '\0');
  bytes[0] = static_cast<char>(k_sample_layout_version);
  std::memcpy(bytes.data() + 1, sample.grey.data(), k_sample_values);
  const auto bits = std::bit_cast<std::uint32_t>(sample.aspect);
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[1 + k_sample_values + i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  return bytes;
}

// Reads encode_sample's form back. Returns false (leaving `out` alone) for any other size, a
// sample of another layout version (to be computed again) or a non-finite aspect.
inline bool decode_sample(std::string_view bytes, Sample& out) {
  if (bytes.size() != k_sample_bytes || static_cast<std::uint8_t>(bytes[0]) != k_sample_layout_version) {
    return false;
  }
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    bits |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[1 + k_sample_values + i])) << (8 * i);
  }
  const auto aspect = std::bit_cast<float>(bits);
  if (!std::isfinite(aspect)) {
    return false;
  }
  std::memcpy(out.grey.data(), bytes.data() + 1, k_sample_values);
  out.aspect = aspect;
  return true;
}

} // namespace ipd
