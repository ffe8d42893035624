// Decoding stills through libvips, shared by the fingerprints (fingerprint.cpp) and the samples'
// fallback (sample.cpp). Internal to the pixels module.
#pragma once

#include "index/core/record.hpp"

#include <vips/vips8>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipd::vips_decode {

bool is_heif(Format format);
bool is_movie_or_sidecar(Format format);
// Why `format` is not decoded ("<what>: RAW images (dng) are not decoded"); for RAW, movies and
// sidecars.
std::string refusal(Format format, std::string_view what);

// The message for the exception being handled, for a decode that failed; clears libvips' error
// buffer.
std::string decode_failure();

// A VipsBlob over the caller's bytes (not copied, not freed): the image built on it must be
// done with before the caller's bytes go away, which the operation cache being off ensures.
struct BorrowedBlob {
  explicit BorrowedBlob(std::span<const std::uint8_t> data)
      : blob(vips_blob_new(nullptr, data.data(), data.size())) {}
  ~BorrowedBlob() { vips_area_unref(VIPS_AREA(blob)); }
  BorrowedBlob(const BorrowedBlob&) = delete;
  BorrowedBlob& operator=(const BorrowedBlob&) = delete;
  VipsBlob* blob;
};

bool swaps_sides(int orientation);

// A decoded still (not yet turned upright) and what its pixels cover of the full image.
struct Decoded {
  vips::VImage image;
  int orientation = 1; // EXIF orientation still to apply to `image`
  int full_width = 0;  // the stored full image, before orientation
  int full_height = 0;
  double step = 1; // full-image pixels per decoded pixel (JPEG shrink-on-load: 1, 2, 4, 8)

  int shown_width() const { return swaps_sides(orientation) ? full_height : full_width; }
  int shown_height() const { return swaps_sides(orientation) ? full_width : full_height; }
};

// The JPEG shrink-on-load (1, 2, 4 or 8) to decode a picture stored width×height with.
using ShrinkRule = int (*)(int width, int height);

// Decodes `data` lazily (pixels come when read, in order): HEIC/AVIF come upright (libheif
// applies irot/imir/clap; orientation 1); a JPEG is shrunk on load as `jpeg_shrink` says; other
// formats decode at full size. `heif_thumbnail` takes a HEIF's embedded thumbnail instead.
// Throws vips::VError (callers catch it).
Decoded decode(const BorrowedBlob& blob, std::span<const std::uint8_t> data, Format format,
               ShrinkRule jpeg_shrink, bool heif_thumbnail = false);

// Flattens alpha onto white and brings any interpretation (grey, 16-bit, CMYK, ...) to 8-bit
// sRGB, so every source is compared in the same space.
vips::VImage to_srgb8(vips::VImage image);

} // namespace ipd::vips_decode
