#include "index/read/metadata.hpp"

#include "index/core/text.hpp"

#include <exiv2/exiv2.hpp>
#include <libheif/heif.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace ipd {
namespace {

constexpr std::uint16_t k_max_orientation = 8;
constexpr std::string_view k_xmp_content_type = "application/rdf+xml";
constexpr const char* k_exif_original_key = "Exif.Photo.DateTimeOriginal";
constexpr const char* k_xmp_date_keys[] = {"Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate",
                                           "Xmp.exif.DateTimeOriginal"};
constexpr const char* k_exif_digitized_key = "Exif.Photo.DateTimeDigitized";
constexpr const char* k_exif_modified_key = "Exif.Image.DateTime";
// How far a GPS time may be from IFD0 DateTime (once the time zone is allowed for) to confirm it.
constexpr std::int64_t k_gps_confirms_seconds = 60;

std::mutex& xmp_mutex() {
  static std::mutex mutex;
  return mutex;
}

void lock_xmp(void*, bool lock) {
  if (lock) {
    xmp_mutex().lock();
  } else {
    xmp_mutex().unlock();
  }
}

// The metadata gathered from one file before it is interpreted.
struct RawMetadata {
  Exiv2::ExifData exif;
  Exiv2::XmpData xmp;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  bool size_oriented = false; // width/height already have the rotation applied (HEIF irot)
};

// The name a format goes by in an error sentence ("JPEG", "HEIC"); empty when unknown.
std::string_view format_label(Format format) {
  switch (format) {
  case Format::jpeg: return "JPEG";
  case Format::heic: return "HEIC";
  case Format::avif: return "AVIF";
  case Format::png: return "PNG";
  case Format::gif: return "GIF";
  case Format::webp: return "WebP";
  case Format::bmp: return "BMP";
  case Format::tiff: return "TIFF";
  case Format::dng: return "DNG";
  case Format::cr2: return "CR2";
  case Format::cr3: return "CR3";
  case Format::nef: return "NEF";
  case Format::arw: return "ARW";
  default: return {};
  }
}

// What a library's message about a still means for its user, in words to act on; the library's
// own words go to MediaInfo::error_detail. `label` names the format ("HEIC").
std::string failure_words(std::string_view label, std::string_view message) {
  if (label.empty()) {
    return "no metadata could be read";
  }
  const std::string m = lower_ascii(message);
  const auto has = [&](const char* words) { return m.find(words) != std::string::npos; };
  const std::string name(label);
  if (has("too many auxiliary image references")) {
    return "this " + name +
           " cannot be read with the libheif installed: HEICs from iOS 17 on need libheif 1.17 "
           "or later";
  }
  if (has("does not look like a tiff image")) {
    return "corrupt " + name + ": its EXIF metadata is damaged";
  }
  if (has("does not look like a") || has("unknown image type") || has("no 'ftyp' box") ||
      has("no 'meta' box")) {
    return "not a readable " + name + ": its content is damaged or of another kind";
  }
  if (has("unsupported")) {
    return "unsupported " + name + ": it uses a feature the " + name + " reader does not support";
  }
  if (has("end of file") || has("failed to read") || has("end of data")) {
    return "corrupt " + name + ": its metadata ends early";
  }
  return "corrupt " + name + ": its metadata cannot be read";
}

// BigTIFF: TIFF version 43, with 64-bit offsets.
bool is_bigtiff(std::span<const std::uint8_t> d) {
  return d.size() >= 4 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 43 && d[3] == 0) ||
                           (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 43));
}

// A MediaInfo with the error of a library message.
MediaInfo failure(Format format, std::string_view message) {
  MediaInfo info;
  info.error = failure_words(format_label(format), message);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.remove_suffix(1);
  }
  // The library's message may quote bytes of the file: escaped.
  info.error_detail = message.empty() ? std::string("unknown error") : display_text(message);
  return info;
}

// A text value up to its first NUL, without leading or trailing blanks.
std::string trimmed(std::string text) {
  const std::size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    text.resize(nul);
  }
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) {
    return {};
  }
  text.resize(end + 1);
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  return text.substr(begin);
}

const Exiv2::Exifdatum* find_exif(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  return it == exif.end() ? nullptr : &*it;
}

std::string exif_text(const Exiv2::ExifData& exif, const char* key) {
  const Exiv2::Exifdatum* datum = find_exif(exif, key);
  return datum && datum->count() > 0 ? trimmed(datum->toString()) : std::string();
}

std::uint32_t exif_uint(const Exiv2::ExifData& exif, const char* key) {
  const Exiv2::Exifdatum* datum = find_exif(exif, key);
  if (!datum || datum->count() == 0) {
    return 0;
  }
  const long value = datum->toLong(0);
  return value > 0 && value <= 0x7fffffffL ? static_cast<std::uint32_t>(value) : 0;
}

// A text tag that DNG writes as BYTE or ASCII (OriginalRawFileName): its bytes as text.
std::string exif_bytes_text(const Exiv2::ExifData& exif, const char* key) {
  const Exiv2::Exifdatum* datum = find_exif(exif, key);
  if (!datum || datum->size() == 0 || datum->size() > 4096) {
    return {};
  }
  std::string bytes(datum->size(), '\0');
  datum->copy(reinterpret_cast<Exiv2::byte*>(bytes.data()), Exiv2::littleEndian);
  return trimmed(std::move(bytes));
}

std::string xmp_text(const Exiv2::XmpData& xmp, const char* key) {
  const auto it = xmp.findKey(Exiv2::XmpKey(key));
  return it == xmp.end() || it->count() == 0 ? std::string() : trimmed(it->toString());
}

// Gives `time` the offset the EXIF tag `key` states ("-07:00"), unless its text already had one.
void take_offset(const Exiv2::ExifData& exif, const char* key, CaptureTime& time) {
  std::int16_t minutes = 0;
  if (!time.has_offset && parse_offset(exif_text(exif, key), minutes)) {
    time.has_offset = true;
    time.offset_minutes = minutes;
  }
}

CaptureTime exif_original_time(const Exiv2::ExifData& exif) {
  CaptureTime time;
  time.source = TimeSource::exif_original;
  if (!parse_datetime(exif_text(exif, k_exif_original_key), time)) {
    return {};
  }
  CaptureTime with_subsec = time;
  if (time.subsec_digits == 0 &&
      parse_subsec(exif_text(exif, "Exif.Photo.SubSecTimeOriginal"), with_subsec)) {
    time = with_subsec;
  }
  take_offset(exif, "Exif.Photo.OffsetTimeOriginal", time);
  return time;
}

// The GPS fix's time (UTC) as seconds since 1970, from GPSDateStamp and GPSTimeStamp; nullopt
// when the file has none.
std::optional<std::int64_t> gps_utc(const Exiv2::ExifData& exif) {
  CaptureTime date;
  date.source = TimeSource::exif_modified;
  const Exiv2::Exifdatum* stamp = find_exif(exif, "Exif.GPSInfo.GPSTimeStamp");
  if (!parse_datetime(exif_text(exif, "Exif.GPSInfo.GPSDateStamp"), date) || !stamp || stamp->count() != 3) {
    return std::nullopt;
  }
  std::int64_t seconds = 0;
  for (long i = 0; i < 3; ++i) {
    const auto [num, den] = stamp->toRational(i);
    if (den <= 0 || num < 0) {
      return std::nullopt;
    }
    seconds = seconds * 60 + num / den;
  }
  return date.local + seconds;
}

// True when IFD0 DateTime is likely the capture time, not a later save: a camera wrote the file
// (its make or model is there), or a GPS time agrees with it within a minute. Without an offset
// in the file, any time zone (a whole quarter hour within 14 hours) is allowed for.
bool modified_time_confirmed(const RawMetadata& raw, const CaptureTime& time) {
  if (!exif_text(raw.exif, "Exif.Image.Make").empty() || !exif_text(raw.exif, "Exif.Image.Model").empty()) {
    return true;
  }
  const std::optional<std::int64_t> gps = gps_utc(raw.exif);
  if (!gps) {
    return false;
  }
  const std::int64_t apart = time.local - *gps; // local minus UTC: the zone's offset, plus drift
  if (time.has_offset) {
    return std::llabs(apart - time.offset_minutes * 60) <= k_gps_confirms_seconds;
  }
  constexpr std::int64_t quarter = 15 * 60;
  const std::int64_t zone = (apart + (apart >= 0 ? quarter / 2 : -quarter / 2)) / quarter * quarter;
  return std::llabs(zone) <= 14 * 3600 && std::llabs(apart - zone) <= k_gps_confirms_seconds;
}

CaptureTime capture_time(const RawMetadata& raw) {
  CaptureTime time = exif_original_time(raw.exif);
  if (time.known()) {
    return time;
  }
  time.source = TimeSource::xmp_created;
  for (const char* key : k_xmp_date_keys) {
    if (parse_datetime(xmp_text(raw.xmp, key), time)) {
      return time;
    }
  }
  time.source = TimeSource::exif_digitized;
  if (parse_datetime(exif_text(raw.exif, k_exif_digitized_key), time)) {
    return time;
  }
  time.source = TimeSource::exif_modified;
  if (parse_datetime(exif_text(raw.exif, k_exif_modified_key), time)) {
    take_offset(raw.exif, "Exif.Photo.OffsetTime", time);
    if (!modified_time_confirmed(raw, time)) {
      time.source = TimeSource::save_time;
    }
    return time;
  }
  return {};
}

void read_makernote(const Exiv2::ExifData& exif, MediaInfo& info) {
  const Exiv2::Exifdatum* datum = find_exif(exif, "Exif.Photo.MakerNote");
  if (!datum || datum->size() == 0) {
    return;
  }
  std::vector<Exiv2::byte> bytes(datum->size());
  datum->copy(bytes.data(), Exiv2::bigEndian);
  if (const auto note = parse_apple_makernote(bytes)) {
    info.apple_makernote = true;
    info.content_id = display_text(note->content_id);
    info.burst_id = display_text(note->burst_id);
  }
}

MediaInfo interpret(const RawMetadata& raw) {
  MediaInfo info;
  info.capture = capture_time(raw);
  info.make = display_text(exif_text(raw.exif, "Exif.Image.Make"));
  info.model = display_text(exif_text(raw.exif, "Exif.Image.Model"));
  info.software = display_text(exif_text(raw.exif, "Exif.Image.Software"));
  const std::uint32_t orientation = exif_uint(raw.exif, "Exif.Image.Orientation");
  info.orientation = orientation <= k_max_orientation ? static_cast<std::uint16_t>(orientation) : 0;
  info.width = raw.width;
  info.height = raw.height;
  if (info.width == 0 || info.height == 0) {
    info.width = exif_uint(raw.exif, "Exif.Photo.PixelXDimension");
    info.height = exif_uint(raw.exif, "Exif.Photo.PixelYDimension");
  }
  if (!raw.size_oriented && info.orientation >= 5) {
    std::swap(info.width, info.height);
  }
  read_makernote(raw.exif, info);
  info.original_raw = exif_bytes_text(raw.exif, "Exif.Image.OriginalRawFileName");
  return info;
}

struct HeifContextDeleter {
  void operator()(heif_context* context) const { heif_context_free(context); }
};
struct HeifHandleDeleter {
  void operator()(heif_image_handle* handle) const { heif_image_handle_release(handle); }
};

std::string_view or_empty(const char* text) { return text ? std::string_view(text) : std::string_view(); }

std::vector<std::uint8_t> heif_metadata(heif_image_handle* handle, heif_item_id id) {
  std::vector<std::uint8_t> block(heif_image_handle_get_metadata_size(handle, id));
  if (block.empty() || heif_image_handle_get_metadata(handle, id, block.data()).code != heif_error_Ok) {
    return {};
  }
  return block;
}

// Decodes a HEIF "Exif" item: a 4-byte big-endian offset to the TIFF header, then the data.
void decode_heif_exif(const std::vector<std::uint8_t>& block, Exiv2::ExifData& exif) {
  if (block.size() < 4) {
    return;
  }
  const std::uint64_t skip = 4 + (std::uint64_t{block[0]} << 24 | std::uint64_t{block[1]} << 16 |
                                  std::uint64_t{block[2]} << 8 | block[3]);
  if (skip >= block.size()) {
    return;
  }
  Exiv2::ExifParser::decode(exif, block.data() + skip, static_cast<std::uint32_t>(block.size() - skip));
}

// Reads the primary image of a HEIF/AVIF through libheif: its displayed size and the EXIF and
// XMP attached to it (not to thumbnails or gain maps). Returns libheif's message on failure.
std::string read_heif(std::span<const std::uint8_t> data, RawMetadata& raw) {
  std::unique_ptr<heif_context, HeifContextDeleter> context(heif_context_alloc());
  if (!context) {
    return "out of memory";
  }
  heif_error error =
      heif_context_read_from_memory_without_copy(context.get(), data.data(), data.size(), nullptr);
  if (error.code != heif_error_Ok) {
    return error.message;
  }
  heif_image_handle* primary = nullptr;
  error = heif_context_get_primary_image_handle(context.get(), &primary);
  if (error.code != heif_error_Ok) {
    return error.message;
  }
  std::unique_ptr<heif_image_handle, HeifHandleDeleter> handle(primary);
  const int width = heif_image_handle_get_width(primary);
  const int height = heif_image_handle_get_height(primary);
  if (width > 0 && height > 0) {
    raw.width = static_cast<std::uint32_t>(width);
    raw.height = static_cast<std::uint32_t>(height);
    raw.size_oriented = true;
  }
  const int count = heif_image_handle_get_number_of_metadata_blocks(primary, nullptr);
  std::vector<heif_item_id> ids(static_cast<std::size_t>(count > 0 ? count : 0));
  if (!ids.empty()) {
    heif_image_handle_get_list_of_metadata_block_IDs(primary, nullptr, ids.data(), count);
  }
  bool have_exif = false;
  bool have_xmp = false;
  for (const heif_item_id id : ids) {
    const std::string_view type = or_empty(heif_image_handle_get_metadata_type(primary, id));
    if (type == "Exif" && !have_exif) {
      decode_heif_exif(heif_metadata(primary, id), raw.exif);
      have_exif = !raw.exif.empty();
    } else if (type == "mime" && !have_xmp &&
               or_empty(heif_image_handle_get_metadata_content_type(primary, id)) == k_xmp_content_type) {
      const std::vector<std::uint8_t> block = heif_metadata(primary, id);
      const std::string packet(block.begin(), block.end());
      have_xmp = Exiv2::XmpParser::decode(raw.xmp, packet) == 0 && !raw.xmp.empty();
    }
  }
  return {};
}

void read_exiv2(std::span<const std::uint8_t> data, RawMetadata& raw) {
  auto image = Exiv2::ImageFactory::open(data.data(), static_cast<long>(data.size()));
  if (!image.get()) {
    throw Exiv2::Error(Exiv2::kerMemoryContainsUnknownImageType);
  }
  image->readMetadata();
  raw.exif = image->exifData();
  raw.xmp = image->xmpData();
  raw.width = static_cast<std::uint32_t>(image->pixelWidth() > 0 ? image->pixelWidth() : 0);
  raw.height = static_cast<std::uint32_t>(image->pixelHeight() > 0 ? image->pixelHeight() : 0);
}

// EXIF/XMP that exiv2 finds anywhere in a HEIF whose primary image carries none (kept only
// when found; the size stays libheif's).
void read_unattached_metadata(std::span<const std::uint8_t> data, RawMetadata& raw) {
  try {
    RawMetadata found;
    read_exiv2(data, found);
    raw.exif = std::move(found.exif);
    raw.xmp = std::move(found.xmp);
  } catch (...) {
  }
}

} // namespace

void init_still_metadata() {
  Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
  Exiv2::XmpParser::initialize(lock_xmp, nullptr);
  Exiv2::enableBMFF(true);
  heif_init(nullptr);
}

std::string library_failure_words(Format format, std::string_view message) {
  return failure_words(format_label(format), message);
}

MediaInfo read_still_metadata(std::span<const std::uint8_t> data, Format format) {
  if (data.empty()) {
    MediaInfo info;
    info.error = "empty file: no metadata could be read";
    return info;
  }
  if (is_bigtiff(data)) {
    return {}; // exiv2 0.27 reads no BigTIFF: that says nothing of the file, which has no metadata here
  }
  try {
    RawMetadata raw;
    if (format == Format::heic || format == Format::avif) {
      const std::string heif_failure = read_heif(data, raw);
      if (heif_failure.empty()) {
        if (raw.exif.empty() && raw.xmp.empty()) {
          read_unattached_metadata(data, raw);
        }
        return interpret(raw);
      }
      try {
        raw = RawMetadata();
        read_exiv2(data, raw);
      } catch (...) {
        return failure(format, heif_failure);
      }
      return interpret(raw);
    }
    read_exiv2(data, raw);
    return interpret(raw);
  } catch (const Exiv2::AnyError& error) {
    return failure(format, error.what());
  } catch (const std::exception& error) {
    return failure(format, error.what());
  } catch (...) {
    return failure(format, "unexpected failure");
  }
}

} // namespace ipd
