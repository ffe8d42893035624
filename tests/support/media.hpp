// Generated still images with chosen metadata, for tests that must run without the corpus.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipd::test {

// The metadata a generated image carries; empty strings and zero are left out of the file.
struct ExifSpec {
  std::string date_time_original; // "YYYY:MM:DD HH:MM:SS"
  std::string subsec;             // SubSecTimeOriginal digits
  std::string offset;             // OffsetTimeOriginal "+hh:mm"
  std::string date_time_digitized;
  std::string date_time; // IFD0 DateTime: when the file was last written
  std::string gps_date;  // GPSDateStamp "YYYY:MM:DD" (UTC)
  std::string gps_time;  // GPSTimeStamp "H/1 M/1 S/1" (UTC), with gps_date
  std::string make;
  std::string model;
  std::string software;
  int orientation = 0;           // EXIF orientation 1..8 (HEIC: also written as irot/imir)
  std::string content_id;        // Apple MakerNote 0x0011
  std::string burst_id;          // Apple MakerNote 0x000b
  std::string xmp_date_created;  // XMP photoshop:DateCreated
  bool apple_makernote = false;  // write an Apple MakerNote even without ids
  std::string original_raw_name; // DNG OriginalRawFileName (what a raw converter writes)
};

// Interleaved RGB pixels, width×height: a gradient between random corner colours with random
// ellipses on it, all drawn from `seed`, so that two seeds differ at every scale.
std::vector<std::uint8_t> make_pixels(int width, int height, unsigned seed);

// What an iPhone writes for a capture at `when` ("YYYY:MM:DD HH:MM:SS"): subseconds 123,
// offset -07:00, Apple `model`, iOS 14.5, an Apple MakerNote with `content_id` (none when empty).
ExifSpec iphone_exif(const char* when = "2021:05:03 14:22:01", const char* model = "iPhone 12 Pro",
                     const char* content_id = "");

// The bytes of a width×height JPEG whose pixels depend on `seed` (different seeds give clearly
// different images), carrying `exif` (with an Apple MakerNote when it has ids); with a restart
// marker every `restart_interval` MCUs when it is not 0.
std::string make_jpeg(int width, int height, const ExifSpec& exif, unsigned seed = 0, int quality = 90,
                      int restart_interval = 0);
// The same as a HEIC (HEVC) whose primary image is stored width×height; orientation 5..8 make it
// display height×width, as iPhones do.
std::string make_heic(int width, int height, const ExifSpec& exif, unsigned seed = 0);
// A width×height PNG with no metadata, or only an XMP photoshop:DateCreated like iOS screenshots.
std::string make_png(int width, int height, unsigned seed = 0, std::string_view xmp_date_created = {});
// A width×height uncompressed TIFF marked as a DNG (DNGVersion 1.4) carrying `exif`: enough for
// the indexer to take it for a RAW file (it decodes no RAW pixels).
std::string make_dng(int width, int height, const ExifSpec& exif, unsigned seed = 0);
// The same as a plain TIFF (no DNGVersion).
std::string make_tiff(int width, int height, const ExifSpec& exif, unsigned seed = 0);
// `heic` (as libheif writes it: the Exif item after the pictures) with its mdat reordered as an
// iPhone orders it, the Exif item first, so that a cut in the pictures leaves the metadata whole.
std::string heic_with_exif_first(const std::string& heic);
// A width×height BigTIFF (64-bit offsets) written by libvips/libtiff (bigtiff=TRUE), no metadata.
std::string make_bigtiff(int width, int height, unsigned seed = 0);
// An Apple MakerNote as iOS writes it, holding the given content identifier and BurstUUID
// (each left out when empty).
std::string apple_makernote_bytes(std::string_view content_id, std::string_view burst_id);

} // namespace ipd::test
