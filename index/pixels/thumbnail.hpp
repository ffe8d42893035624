// Previews of stills for the review page (docs/DESIGN.md §8, review): small JPEGs turned upright.
// The decoding lives in the pixels module (thumbnail.cpp, libvips); the core reaches it through
// pixels_loader.cpp, which loads the module on first use.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace ipd {

// The longest side of a preview, in pixels.
inline constexpr int k_thumbnail_side = 240;

// A JPEG of the still in `data` (whole bytes the caller has read; `format` picks the decoder),
// turned upright, shrunk to fit in side×side (never enlarged), in sRGB, without metadata. HEIC
// and AVIF included; RAW, movies and sidecars are refused. Returns false with a message in
// `error` when the image cannot be decoded. Never throws; safe from several threads at once.
bool make_thumbnail(std::span<const std::uint8_t> data, Format format, int side, std::string& jpeg,
                    std::string& error);

} // namespace ipd
