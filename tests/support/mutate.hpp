// Broken copies of generated media, as failing disks, cut downloads and careless tools make
// them: byte flips, cuts, garbled structure (box, chunk, segment and IFD headers) and swapped
// extensions. For the robustness tests and the fuzz seeds.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ipd::test {

// A structure header inside a file: where it starts, and where its size and type fields are.
struct Header {
  std::size_t at = 0;
  std::size_t size_at = 0; // offset of its size (or length, or offset) field
  std::size_t size_bytes = 0;
  std::size_t type_at = 0; // offset of its type (or marker, or tag) field
  std::size_t type_bytes = 0;
};

// The top-level ISO-BMFF boxes of `file` (HEIC, MOV, MP4), in order, up to the first that does
// not fit.
std::vector<Header> bmff_boxes(std::string_view file);

// The headers of a file's own structure as far as they can be walked: ISO-BMFF boxes, PNG
// chunks, JPEG segments up to the first scan, TIFF directory entries of the first IFD.
std::vector<Header> headers_of(std::string_view file);

// `file` with the 4-byte type of top-level box `index` replaced by `type`.
std::string with_box_type(std::string file, std::size_t index, std::string_view type);

struct Mutant {
  std::string bytes;
  std::string what; // "flip", "cut", "garble", "cut-garble": the kind of damage, for messages
};

// One broken copy of `file`, its damage drawn from `rng`: 1-8 bytes flipped (half of them in
// the first 4 KiB), a cut at any length, or a header's size or type overwritten (with bytes
// that include control characters and impossible sizes), sometimes then cut.
Mutant mutate(const std::string& file, std::mt19937& rng);

} // namespace ipd::test
