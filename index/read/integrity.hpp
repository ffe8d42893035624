// Cheap completeness checks: does a file hold all of its own structure, or was it cut short?
// They read only the structure (box headers, chunk headers, image directories, the JPEG
// segments), never decode.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace ipd {

// What a completeness check found of a whole file.
struct Completeness {
  enum class State : std::uint8_t {
    complete,  // the structure is all there (or the format has no check)
    cut_short, // the file ends before a plausible structure does
    corrupt,   // the structure is impossible (a box smaller than its header, a garbled type, ...)
  };
  State state = State::complete;
  // cut_short: how many bytes the structure needs (0 when it cannot tell), and whether that is
  // only a lower bound (what the cut hides may need more) or an estimate (a JPEG's picture data
  // from its restart markers).
  std::uint64_t needs = 0;
  enum class Needs : std::uint8_t { exact, at_least, about } needs_kind = Needs::exact;
  // cut_short: the picture's own data begins inside the file, so a viewer shows part of it
  // (a JPEG's scan, a HEIC's mdat, a PNG's IDAT, the main image's first strip or tile).
  bool shows_picture = false;
  // Empty when complete; else in the user's words: "the file is cut short: 71 % of it is
  // missing", "corrupt: the 'mdat' box at byte 1200 has an impossible size (3 bytes)".
  std::string what;
};

// Checks `data`, the whole file of the given format: JPEG (to its end-of-image marker, and an
// image appended after it), PNG (to IEND), ISO-BMFF (HEIC, AVIF, CR3, MOV, MP4: top-level boxes
// tile the file), TIFF, BigTIFF and TIFF-based RAW (every directory, strip, tile and embedded
// JPEG inside the file). Other formats are complete.
Completeness assess_complete(Format format, std::span<const std::uint8_t> data);

// assess_complete(format, data).what: empty when the file looks complete.
std::string check_complete(Format format, std::span<const std::uint8_t> data);

// How much of a file of `size` bytes is missing when its structure needs `needs`: 0 to 100,
// rounded down (0: less than 1 %); k_missing_unknown when needs is 0 or not above size.
std::uint8_t missing_percent(std::uint64_t size, std::uint64_t needs);

} // namespace ipd
