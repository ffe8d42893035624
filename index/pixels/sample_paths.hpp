// The cheap ways to decode a sample (sample.hpp), each for the files it can take; sample.cpp
// tries them before the full decode. Internal to the pixels module.
#pragma once

#include "index/pixels/sample.hpp"

#include <cstdint>
#include <span>

namespace ipd::sample_paths {

// Samples a HEIF grid from only the tiles that cover the regions (libheif ≥ 1.19). Returns
// false, with the reason in report.fallback, for a file it does not take (no grid, alpha, more
// than 8 bits, a libheif without tile decoding) or cannot decode; `out` is then left alone.
bool heif_tiles(std::span<const std::uint8_t> data, Sample& out, SampleReport& report);

// Samples a JPEG through libjpeg: a baseline JPEG with a restart marker every whole number of
// MCU rows decodes only the intervals that cover the regions; another sequential or
// progressive one skips the other rows. Returns false, with the reason in report.fallback, for
// a file it does not take (CMYK, arithmetic coding) or cannot decode cleanly (any libjpeg
// warning); `out` is then left alone.
bool jpeg_rows(std::span<const std::uint8_t> data, Sample& out, SampleReport& report);

} // namespace ipd::sample_paths
