// The facts the indexer keeps about one input file, and how they print.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ipd {

// What a file is for the plan.
enum class Kind : std::uint8_t {
  other = 0,   // not a photo, movie or sidecar (notes, .DS_Store, ...)
  still = 1,   // a photo in any still format, RAW included
  movie = 2,   // a video
  sidecar = 3, // .AAE or .XMP edit/metadata sidecar
  symlink = 4, // a symbolic link: recorded, never followed
  dir = 5,     // a directory that could not be read (carries the error)
};

// The true format, decided from the content (not the name).
enum class Format : std::uint8_t {
  unknown = 0,
  jpeg,
  heic,
  avif,
  png,
  gif,
  webp,
  bmp,
  tiff,
  dng,
  cr2,
  cr3,
  nef,
  arw,
  raw,
  mov,
  mp4,
  m4v,
  threegp,
  avi,
  aae,
  xmp,
};

// Where a capture time came from, in order of trust (docs/DESIGN.md §5).
enum class TimeSource : std::uint8_t {
  none = 0,
  exif_original = 1,  // EXIF DateTimeOriginal (+ SubSecTimeOriginal, OffsetTimeOriginal)
  quicktime_keys = 2, // com.apple.quicktime.creationdate: local with offset
  quicktime_utc = 3,  // QuickTime movie header creation time: UTC
  xmp_created = 4,    // XMP photoshop:DateCreated / xmp:CreateDate (screenshots)
  exif_digitized = 5, // EXIF DateTimeDigitized
  exif_modified = 6,  // EXIF IFD0 DateTime, confirmed by a camera make or model or a GPS time
  // EXIF IFD0 DateTime alone: when the file was last written (a Mac's Preview, a scanner), not
  // when it was taken. Kept for explain; the file counts as having no capture time.
  save_time = 7,
};

// A wall-clock capture time as the file states it.
struct CaptureTime {
  TimeSource source = TimeSource::none;
  std::int64_t local = 0;         // seconds since 1970-01-01T00:00:00 of the local wall clock
  std::uint32_t subsec_nanos = 0; // fraction of the second
  std::uint8_t subsec_digits = 0; // digits the file gave for it; 0 = no subseconds
  bool has_offset = false;
  std::int16_t offset_minutes = 0; // local minus UTC

  bool known() const { return source != TimeSource::none && source != TimeSource::save_time; }
  bool operator==(const CaptureTime&) const = default;
};

// A damaged file's missing share when its structure cannot tell it (FileRecord::missing_percent).
inline constexpr std::uint8_t k_missing_unknown = 255;

struct FileRecord {
  std::string path;       // the input path as found by the walk (raw bytes)
  std::uint32_t root = 0; // index of the root it was found under
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint32_t mode = 0;
  std::uint32_t nlink = 0;

  Kind kind = Kind::other;
  Format format = Format::unknown;
  std::string mime; // libmagic's MIME type of the first bytes

  // Text from inside the file (make, model, software, content identifier) and the error are
  // display_text: control characters, backslashes and invalid UTF-8 come escaped as \xNN, so
  // whatever shows them (status, list, explain, README.txt, the mount's xattrs) shows no raw
  // byte of the file. The path is stored as it is and escaped where it is shown.
  CaptureTime capture;
  std::string make;
  std::string model;
  std::string software;
  std::uint32_t width = 0; // pixels, after orientation
  std::uint32_t height = 0;
  std::uint16_t orientation = 0; // EXIF orientation 1..8; 0 = not stated
  std::string content_id;        // Apple content identifier (MakerNote 0x11 / QuickTime key)
  std::string burst_id;          // Apple BurstUUID (MakerNote 0x0b)
  bool apple_makernote = false;
  std::uint32_t duration_ms = 0;

  std::string link_target;  // for symlinks
  std::string error;        // empty when the file was read without trouble; else in the user's words
  std::string error_detail; // the library's own words behind `error` (for explain and --verbose)
  // A damaged file that is planned all the same (docs/DESIGN.md §6): cut short, yet its metadata
  // was read and part of its picture is there; `error` says how much is missing. It ranks below
  // every intact copy of its capture.
  bool damaged = false;
  std::uint8_t missing_percent = 0; // of a damaged file: 0 (under 1 %) to 100, or k_missing_unknown
  std::string original_raw;         // a DNG's OriginalRawFileName: the RAW file it was converted from

  // Content facts the plan computes only when it needs them, kept so a re-run need not read
  // the file again (a changed file gets a fresh record without them).
  std::string fingerprint;        // encode_fingerprint() of the 32x32 grey thumbnail; empty = none
  std::string sample;             // encode_sample() of the sampled regions (sample.hpp); empty = none
  std::uint64_t content_hash = 0; // hash of all bytes; 0 = not computed

  bool operator==(const FileRecord&) const = default;
};

// Metadata read from a file's content; the part of FileRecord a reader fills (its text and
// error escaped as FileRecord's are).
struct MediaInfo {
  CaptureTime capture;
  std::string make;
  std::string model;
  std::string software;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint16_t orientation = 0;
  std::string content_id;
  std::string burst_id;
  bool apple_makernote = false;
  std::uint32_t duration_ms = 0;
  std::string original_raw; // DNG: the OriginalRawFileName tag
  std::string error;        // empty when all is well; else in the user's words
  std::string error_detail; // the library's own words behind `error`

  bool operator==(const MediaInfo&) const = default;
};

std::string_view kind_name(Kind kind);
// Short lowercase name of a format: "jpg", "heic", "tiff", "mov", "aae", ...
std::string_view format_name(Format format);
// The extension the view gives a file of this format ("JPG", "HEIC", "MOV"); empty for unknown.
std::string_view true_extension(Format format);
Kind kind_of(Format format);
// True for camera RAW formats (DNG, CR2, CR3, NEF, ARW and other RAW).
bool is_raw(Format format);

// The capture device as the view names it: "Make Model" without the make repeated
// ("Canon" + "Canon EOS R6" -> "Canon EOS R6", "NIKON CORPORATION" + "NIKON D70" -> "NIKON D70",
// as ExifTool users know it); empty when neither is known.
std::string device_name(std::string_view make, std::string_view model);

// "2021-04-08T16:04:55.787-07:00"; subseconds and offset only where the file has them.
// Empty when the time is unknown.
std::string format_iso8601(const CaptureTime& time);

// The tag a capture time came from, for explain: "EXIF DateTimeOriginal", ...
std::string_view time_source_name(TimeSource source);

// A capture time with the tag it came from ("2019-07-01T10:00:00 (EXIF DateTimeOriginal)"), or
// why there is none: "(none)", "(none: EXIF DateTime 2010-03-04T10:00:00 is when the file was
// last saved, and no camera or GPS time confirms it)".
std::string describe_time(const CaptureTime& time);

// Days since 1970-01-01 of a civil date (proleptic Gregorian), and back.
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day);

// A wall-clock time split into its calendar fields.
struct CivilTime {
  int year = 1970;
  unsigned month = 1; // 1..12
  unsigned day = 1;   // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};
// The calendar fields of `local` seconds since 1970-01-01T00:00:00 (before 1970 too).
CivilTime civil_time(std::int64_t local);

// Parses "YYYY:MM:DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS" (optionally ".fff" and "Z"/"+hh:mm",
// and a bare date) into `time`, keeping its source. Returns false for anything else,
// including the all-zero "0000:00:00 00:00:00" cameras write when unset.
bool parse_datetime(std::string_view text, CaptureTime& time);
// Parses "+hh:mm" / "-hh:mm" / "Z" into minutes. Returns false otherwise.
bool parse_offset(std::string_view text, std::int16_t& minutes);
// Parses subsecond digits "345" into time's subsec fields. Returns false for non-digits.
bool parse_subsec(std::string_view digits, CaptureTime& time);

} // namespace ipd
