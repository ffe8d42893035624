// The formats a fuzz input may claim. The first byte of an input picks one (modulo the count),
// the rest is the file; the fuzzer mutates both, so the readers also meet bytes of one format
// under the name of another, as the indexer does when a file's start looks like something it
// is not.
#pragma once

#include "index/core/record.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ipd::fuzz {

// For the completeness checks (index/read/integrity.hpp): ISO-BMFF, JPEG, PNG and TIFF.
inline constexpr Format k_integrity_formats[] = {Format::heic, Format::mov,  Format::mp4, Format::jpeg,
                                                 Format::png,  Format::tiff, Format::dng};

// For the still metadata reader: exiv2 for all, libheif first for HEIC and AVIF.
inline constexpr Format k_still_formats[] = {Format::jpeg, Format::heic, Format::avif, Format::png,
                                             Format::tiff, Format::dng,  Format::cr2,  Format::cr3,
                                             Format::nef,  Format::gif,  Format::webp, Format::bmp};

// The format the first byte of `data` picks from `formats`.
template <std::size_t N> Format pick(const Format (&formats)[N], std::span<const std::uint8_t> data) {
  return formats[data[0] % N];
}

// The selector byte that picks `format` from `formats`.
template <std::size_t N> std::uint8_t selector(const Format (&formats)[N], Format format) {
  for (std::size_t i = 0; i < N; ++i) {
    if (formats[i] == format) {
      return static_cast<std::uint8_t>(i);
    }
  }
  return 0;
}

// Aborts (a finding for the fuzzer) when `text`, which the tool may print for a person, holds
// a control character: C0 but none, DEL, or C1 (UTF-8 C2 80..C2 9F).
void require_display_safe(const char* what, std::string_view text);

} // namespace ipd::fuzz
