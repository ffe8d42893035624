#include "index/plan/rank.hpp"

#include "index/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <iterator>

namespace ipd {

bool is_edit_name(std::string_view stem) {
  const std::string s = lower_ascii(stem);
  if (s.size() > 5 && s.compare(0, 5, "img_e") == 0 && std::isdigit(static_cast<unsigned char>(s[5]))) {
    return true;
  }
  for (const char* marker : {"-edited", "_edited", " edited"}) {
    if (s.find(marker) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_editor_software(std::string_view software) {
  const std::string s = lower_ascii(software);
  static constexpr const char* k_editors[] = {
      "photoshop", "lightroom", "windows",  "microsoft", "photos", "gimp",      "picasa",     "google",
      "exiftool",  "snapseed",  "vsco",     "adobe",     "paint",  "darktable", "digikam",    "handbrake",
      "lavf",      "ffmpeg",    "magick",   "shotwell",  "acdsee", "capture",   "pixelmator", "affinity",
      "luminar",   "instagram", "whatsapp", "facebook",  "vips",   "preview",   "image"};
  return std::any_of(std::begin(k_editors), std::end(k_editors),
                     [&](const char* e) { return s.find(e) != std::string::npos; });
}

bool is_pixel_editor(std::string_view software) {
  const std::string s = lower_ascii(software);
  static constexpr const char* k_pixel_editors[] = {
      "photoshop", "lightroom", "photos",    "gimp",     "picasa",   "snapseed", "vsco",
      "adobe",     "paint",     "darktable", "digikam",  "shotwell", "acdsee",   "pixelmator",
      "affinity",  "luminar",   "instagram", "whatsapp", "facebook", "preview",  "capture one"};
  // Importers and converters that re-encode without changing what the picture shows.
  static constexpr const char* k_transcoders[] = {"photo viewer", "windows photos", "google"};
  const auto has = [&](const char* word) { return s.find(word) != std::string::npos; };
  return std::any_of(std::begin(k_pixel_editors), std::end(k_pixel_editors), has) &&
         !std::any_of(std::begin(k_transcoders), std::end(k_transcoders), has);
}

int format_rank(const FileRecord& r) {
  if (r.kind == Kind::movie) {
    return r.format == Format::mov                                                             ? 0
           : r.format == Format::mp4 || r.format == Format::m4v || r.format == Format::threegp ? 1
                                                                                               : 2;
  }
  if (is_raw(r.format)) {
    return 0;
  }
  if (r.format == Format::heic || r.format == Format::avif) {
    return 1;
  }
  return r.format == Format::jpeg ? 2 : 3;
}

int camera_score(const FileRecord& r) {
  int score = 0;
  score += r.apple_makernote ? 2 : 0;
  score += r.content_id.empty() ? 0 : 1;
  if (!r.software.empty()) {
    score += is_editor_software(r.software) ? -1 : 1;
  }
  return score;
}

bool is_dng_conversion(const FileRecord& r) {
  if (r.format != Format::dng) {
    return false;
  }
  if (!r.original_raw.empty()) {
    return true;
  }
  // Makers whose cameras write their own RAW format and never DNG.
  const std::string make = lower_ascii(r.make);
  static constexpr const char* k_native_raw_makers[] = {"canon",   "nikon",      "sony",      "fujifilm",
                                                        "olympus", "om digital", "panasonic", "minolta"};
  return std::any_of(std::begin(k_native_raw_makers), std::end(k_native_raw_makers),
                     [&](const char* maker) { return make.starts_with(maker); });
}

namespace {

std::uint64_t pixels(const FileRecord& r) { return std::uint64_t(r.width) * r.height; }

// Rule 0: intact first, then the damaged by how much is missing (an unknown share last).
int damage_rank(const FileRecord& r) {
  return !r.damaged ? 0 : r.missing_percent == k_missing_unknown ? 102 : 1 + r.missing_percent;
}

// Rule 1b, between two RAW files: a camera's own RAW before a DNG converted from one.
bool conversion_decides(const FileRecord& a, const FileRecord& b) {
  return is_raw(a.format) && is_raw(b.format) && is_dng_conversion(a) != is_dng_conversion(b);
}

// Rule 2. Between two RAW files pixels do not decide: a raw converter's crop arithmetic moves
// a few percent of them, which is not more picture.
bool pixels_decide(const FileRecord& a, const FileRecord& b) {
  return pixels(a) != pixels(b) && !(is_raw(a.format) && is_raw(b.format));
}

} // namespace

bool better(const FileRecord& a, const FileRecord& b) {
  if (const int da = damage_rank(a), db = damage_rank(b); da != db) {
    return da < db;
  }
  if (const int fa = format_rank(a), fb = format_rank(b); fa != fb) {
    return fa < fb;
  }
  if (conversion_decides(a, b)) {
    return !is_dng_conversion(a);
  }
  if (pixels_decide(a, b)) {
    return pixels(a) > pixels(b);
  }
  if (const int ca = camera_score(a), cb = camera_score(b); ca != cb) {
    return ca > cb;
  }
  if (a.mtime_ns != b.mtime_ns) {
    return a.mtime_ns < b.mtime_ns;
  }
  if (a.path.size() != b.path.size()) {
    return a.path.size() < b.path.size();
  }
  return a.path < b.path;
}

std::string format_label(const FileRecord& r) {
  std::string ext(true_extension(r.format));
  return ext.empty() ? std::string(format_name(r.format)) : ext;
}

std::string why_better(const FileRecord& keeper, const FileRecord& other) {
  if (damage_rank(keeper) != damage_rank(other)) {
    return std::string(keeper.damaged ? "less damaged" : "intact") + " over a damaged copy (" + other.error +
           ")";
  }
  if (format_rank(keeper) != format_rank(other)) {
    return "original format " + format_label(keeper) + " over " + format_label(other);
  }
  if (conversion_decides(keeper, other)) {
    const std::string device = device_name(other.make, other.model);
    return "the camera's own RAW " + format_label(keeper) + " over a DNG converted from it (" +
           (other.original_raw.empty()
                ? "the " + (device.empty() ? other.make : device) + " writes no DNG of its own"
                : "OriginalRawFileName " + other.original_raw) +
           ")";
  }
  if (pixels_decide(keeper, other)) {
    return "more pixels (" + std::to_string(keeper.width) + "x" + std::to_string(keeper.height) + " over " +
           std::to_string(other.width) + "x" + std::to_string(other.height) + ")";
  }
  if (camera_score(keeper) != camera_score(other)) {
    return "camera-original metadata (Apple MakerNote, content id, camera software) over " +
           (other.software.empty() ? std::string("stripped metadata")
                                   : "software \"" + other.software + "\"");
  }
  if (keeper.mtime_ns != other.mtime_ns) {
    return "older file (downloaded first)";
  }
  return keeper.path.size() != other.path.size() ? "shorter path" : "path order";
}

} // namespace ipd
