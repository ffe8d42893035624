// Encoders and metadata writers shared by the test media (media.hpp) and the messy-library
// generator. exiv2 0.27 is not safe to use from several threads at once: every exiv2 call of a
// caller that may run in parallel holds exiv2_mutex(); with_metadata and encode_heic take it.
#pragma once

#include <exiv2/exiv2.hpp>
#include <vips/vips8>

#include <cstdint>
#include <mutex>
#include <string>

namespace ipd::test {

// libvips (operation cache off), exiv2 (muted, XMP ready) and libheif, once per process.
void init_media_libraries();

std::mutex& exiv2_mutex();

// The bytes of a vips blob, which is released.
std::string blob_bytes(VipsBlob* blob);

// `image`, decoded into memory (copy_memory), without its ICC profile: libvips 8.14's heifload
// frees the profile it attached when the loader goes while a copy still points at it, so a later
// save reads freed memory (AddressSanitizer: heap-use-after-free in jpegsave). The tests' saves
// strip the profile anyway.
vips::VImage in_memory_without_profile(const vips::VImage& image);

// The whole file exiv2 holds, as bytes.
std::string exiv2_bytes(Exiv2::Image& file);

// `image` (JPEG or PNG bytes) re-written with the given EXIF and XMP; unchanged when both are empty.
std::string with_metadata(const std::string& image, const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp);

// A HEIC (HEVC, quality 80) of `rgb`, interleaved 8-bit width×height pixels as stored, with the
// given orientation (1..8, as irot/imir; 0 leaves it out), EXIF and XMP. `fastest` picks x265's
// ultrafast preset on one thread, for generating many.
std::string encode_heic(const std::uint8_t* rgb, int width, int height, int orientation,
                        const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp, bool fastest);

// A HEIC as an iPhone writes it: a `grid` image of tile_width×tile_height HEVC tiles (hidden
// items) covering `rgb`, width×height pixels as stored, the turn of EXIF `orientation` (1..8)
// as irot/imir on the grid, and the EXIF; HEVC quality 50. iPhones use 512×512 tiles at 12 MP (8×6 for
// 4032×3024) and 640×896 at 24 MP (9×5 for 5712×4284).
std::string encode_heic_grid(const std::uint8_t* rgb, int width, int height, int tile_width, int tile_height,
                             int orientation, const Exiv2::ExifData& exif, bool fastest);

} // namespace ipd::test
