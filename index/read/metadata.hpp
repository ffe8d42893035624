// Readers of capture metadata: stills through exiv2, movies through libavformat.
// Both read from a descriptor the caller opened read-only with O_NOATIME; neither
// throws: a problem with the file comes back in MediaInfo::error.
#pragma once

#include "index/core/record.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace ipd {

// One-time, process-wide set-up of the still reader (exiv2's XMP toolkit, its log). Call
// before reading from several threads. (The movie module sets itself up when it loads.)
void init_still_metadata();

// Reads EXIF/XMP of a still (JPEG, HEIC/HEIF/AVIF, PNG, TIFF, DNG, CR2, CR3, other RAW).
// `data` is the whole file (typically mapped). Fills capture time (DateTimeOriginal with
// SubSecTimeOriginal and OffsetTimeOriginal, else XMP DateCreated/CreateDate, else
// DateTimeDigitized), make, model, software, pixel size after orientation, orientation, and
// from the Apple MakerNote the content identifier and BurstUUID.
MediaInfo read_still_metadata(std::span<const std::uint8_t> data, Format format);

// What exiv2's or libheif's `message` about a still of `format` means for its user: the error
// read_still_metadata gives, in words to act on ("corrupt HEIC: its EXIF metadata is damaged").
std::string library_failure_words(Format format, std::string_view message);

// Reads a movie's metadata from `fd` (size `size`) without decoding frames: capture time from
// com.apple.quicktime.creationdate (local with offset) before the header's UTC creation_time,
// Apple make/model/software/content identifier, duration, and display dimensions.
MediaInfo read_movie_metadata(int fd, std::uint64_t size);

struct AppleMakerNote {
  std::string content_id; // tag 0x0011 (MediaGroupUUID / ContentIdentifier)
  std::string burst_id;   // tag 0x000b (BurstUUID)
  bool operator==(const AppleMakerNote&) const = default;
};

// Decodes an Apple MakerNote ("Apple iOS\0", version, "MM", big-endian IFD whose offsets count
// from the MakerNote's start). Returns nullopt when the bytes are not an Apple MakerNote.
// Never reads outside `bytes`, whatever they hold.
std::optional<AppleMakerNote> parse_apple_makernote(std::span<const std::uint8_t> bytes);

} // namespace ipd
