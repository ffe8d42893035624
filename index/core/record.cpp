#include "index/core/record.hpp"

#include <array>
#include <cstdio>

namespace ipd {

std::string_view kind_name(Kind kind) {
  switch (kind) {
  case Kind::other: return "other";
  case Kind::still: return "still";
  case Kind::movie: return "movie";
  case Kind::sidecar: return "sidecar";
  case Kind::symlink: return "symlink";
  case Kind::dir: return "dir";
  }
  return "other";
}

namespace {

struct FormatInfo {
  std::string_view name;
  std::string_view extension;
  Kind kind;
};

constexpr std::array<FormatInfo, 22> k_formats{{
    {"unknown", "", Kind::other},  {"jpg", "JPG", Kind::still}, {"heic", "HEIC", Kind::still},
    {"avif", "AVIF", Kind::still}, {"png", "PNG", Kind::still}, {"gif", "GIF", Kind::still},
    {"webp", "WEBP", Kind::still}, {"bmp", "BMP", Kind::still}, {"tiff", "TIF", Kind::still},
    {"dng", "DNG", Kind::still},   {"cr2", "CR2", Kind::still}, {"cr3", "CR3", Kind::still},
    {"nef", "NEF", Kind::still},   {"arw", "ARW", Kind::still}, {"raw", "", Kind::still},
    {"mov", "MOV", Kind::movie},   {"mp4", "MP4", Kind::movie}, {"m4v", "M4V", Kind::movie},
    {"3gp", "3GP", Kind::movie},   {"avi", "AVI", Kind::movie}, {"aae", "AAE", Kind::sidecar},
    {"xmp", "XMP", Kind::sidecar},
}};

const FormatInfo& info(Format format) {
  auto i = static_cast<std::size_t>(format);
  return i < k_formats.size() ? k_formats[i] : k_formats[0];
}

bool all_digits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
  }
  return v;
}

} // namespace

std::string_view format_name(Format format) { return info(format).name; }
std::string_view true_extension(Format format) { return info(format).extension; }
Kind kind_of(Format format) { return info(format).kind; }

bool is_raw(Format format) {
  return format == Format::dng || format == Format::cr2 || format == Format::cr3 || format == Format::nef ||
         format == Format::arw || format == Format::raw;
}

std::string device_name(std::string_view make, std::string_view model) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  // True when the model starts with `word`, as a whole word, in any case.
  auto starts_with = [&](std::string_view word) {
    if (word.empty() || model.size() < word.size()) {
      return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (lower(model[i]) != lower(word[i])) {
        return false;
      }
    }
    return model.size() == word.size() || model[word.size()] == ' ';
  };
  // The model names the maker already: "Canon" + "Canon EOS R6", "NIKON CORPORATION" + "NIKON D70".
  if (make.empty() || starts_with(make) || starts_with(make.substr(0, make.find(' ')))) {
    return std::string(model);
  }
  if (model.empty()) {
    return std::string(make);
  }
  std::string out(make);
  out += ' ';
  out += model;
  return out;
}

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t days, int& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400) + (month <= 2);
}

bool parse_offset(std::string_view text, std::int16_t& minutes) {
  if (text == "Z") {
    minutes = 0;
    return true;
  }
  // "+hh:mm", "+hhmm" or "+hh"
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) {
    return false;
  }
  std::string_view hh = text.substr(1, 2);
  std::string_view mm = "00";
  if (text.size() == 6 && text[3] == ':') {
    mm = text.substr(4, 2);
  } else if (text.size() == 5) {
    mm = text.substr(3, 2);
  } else if (text.size() != 3) {
    return false;
  }
  if (!all_digits(hh) || !all_digits(mm)) {
    return false;
  }
  const int value = to_int(hh) * 60 + to_int(mm);
  if (value > 18 * 60) {
    return false;
  }
  minutes = static_cast<std::int16_t>(text[0] == '-' ? -value : value);
  return true;
}

bool parse_subsec(std::string_view digits, CaptureTime& time) {
  while (!digits.empty() && digits.back() == ' ') {
    digits.remove_suffix(1);
  }
  while (!digits.empty() && digits.front() == ' ') {
    digits.remove_prefix(1);
  }
  if (!all_digits(digits)) {
    return false;
  }
  if (digits.size() > 9) {
    digits = digits.substr(0, 9);
  }
  std::uint32_t nanos = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    nanos = nanos * 10 + (i < digits.size() ? static_cast<std::uint32_t>(digits[i] - '0') : 0);
  }
  time.subsec_nanos = nanos;
  time.subsec_digits = static_cast<std::uint8_t>(digits.size());
  return true;
}

bool parse_datetime(std::string_view text, CaptureTime& time) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  if (text.size() < 10) {
    return false;
  }
  auto sep_ok = [](char c) { return c == ':' || c == '-'; };
  if (!all_digits(text.substr(0, 4)) || !sep_ok(text[4]) || !all_digits(text.substr(5, 2)) ||
      !sep_ok(text[7]) || !all_digits(text.substr(8, 2))) {
    return false;
  }
  const int year = to_int(text.substr(0, 4));
  const int month = to_int(text.substr(5, 2));
  const int day = to_int(text.substr(8, 2));
  if (year < 1800 || month < 1 || month > 12 || day < 1 || day > 31) {
    return false;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  CaptureTime parsed;
  parsed.source = time.source;
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if ((rest[0] != ' ' && rest[0] != 'T') || rest.size() < 6) {
      return false;
    }
    std::string_view hms = rest.substr(1);
    if (!all_digits(hms.substr(0, 2)) || hms[2] != ':' || !all_digits(hms.substr(3, 2))) {
      return false;
    }
    hour = to_int(hms.substr(0, 2));
    minute = to_int(hms.substr(3, 2));
    rest = hms.substr(5);
    if (rest.size() >= 3 && rest[0] == ':' && all_digits(rest.substr(1, 2))) {
      second = to_int(rest.substr(1, 2));
      rest = rest.substr(3);
    }
    if (hour > 23 || minute > 59 || second > 60) {
      return false;
    }
    if (!rest.empty() && rest[0] == '.') {
      std::size_t n = 1;
      while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
        ++n;
      }
      if (!parse_subsec(rest.substr(1, n - 1), parsed)) {
        return false;
      }
      rest = rest.substr(n);
    }
    if (!rest.empty()) {
      if (!parse_offset(rest, parsed.offset_minutes)) {
        return false;
      }
      parsed.has_offset = true;
    }
  }
  parsed.local = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                 hour * 3600 + minute * 60 + second;
  time = parsed;
  return true;
}

CivilTime civil_time(std::int64_t local) {
  const std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const std::int64_t secs = local - days * 86400;
  CivilTime t;
  civil_from_days(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs / 60 % 60);
  t.second = static_cast<int>(secs % 60);
  return t;
}

namespace {

// The time as the file states it, known or not (a save time is stated, not known).
std::string format_stated(const CaptureTime& time) {
  const CivilTime t = civil_time(time.local);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                        t.minute, t.second);
  std::string out(buf, static_cast<std::size_t>(n));
  if (time.subsec_digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, "%09u", time.subsec_nanos);
    out += '.';
    out.append(frac, time.subsec_digits > 9 ? 9 : time.subsec_digits);
  }
  if (time.has_offset) {
    const int m = time.offset_minutes < 0 ? -time.offset_minutes : time.offset_minutes;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", time.offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
    out += buf;
  }
  return out;
}

} // namespace

std::string format_iso8601(const CaptureTime& time) {
  return time.known() ? format_stated(time) : std::string();
}

std::string_view time_source_name(TimeSource source) {
  switch (source) {
  case TimeSource::none: return "none";
  case TimeSource::exif_original: return "EXIF DateTimeOriginal";
  case TimeSource::quicktime_keys: return "QuickTime com.apple.quicktime.creationdate";
  case TimeSource::quicktime_utc: return "QuickTime movie header creation time (UTC)";
  case TimeSource::xmp_created: return "XMP DateCreated";
  case TimeSource::exif_digitized: return "EXIF DateTimeDigitized";
  case TimeSource::exif_modified:
    return "EXIF DateTime, confirmed by the camera's make and model or its GPS time";
  case TimeSource::save_time: return "EXIF DateTime alone (a save time)";
  }
  return "unknown";
}

std::string describe_time(const CaptureTime& time) {
  if (time.source == TimeSource::none) {
    return "(none)";
  }
  if (time.source == TimeSource::save_time) {
    return "(none: EXIF DateTime " + format_stated(time) +
           " is when the file was last saved, and no camera or GPS time confirms it)";
  }
  return format_iso8601(time) + " (" + std::string(time_source_name(time.source)) + ")";
}

} // namespace ipd
