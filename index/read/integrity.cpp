#include "index/read/integrity.hpp"

#include "index/core/text.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace ipd {

namespace {

using Bytes = std::span<const std::uint8_t>;
using State = Completeness::State;
using Needs = Completeness::Needs;

// No photo or movie file is this large: a structure that claims more is garbled, not cut short.
constexpr std::uint64_t k_plausible_bytes = std::uint64_t(1) << 40; // 1 TiB

std::uint32_t be32(Bytes d, std::size_t at) {
  return std::uint32_t(d[at]) << 24 | std::uint32_t(d[at + 1]) << 16 | std::uint32_t(d[at + 2]) << 8 |
         d[at + 3];
}

std::uint64_t be64(Bytes d, std::size_t at) { return std::uint64_t(be32(d, at)) << 32 | be32(d, at + 4); }

std::string percent_words(std::uint8_t percent, Needs kind) {
  if (percent == k_missing_unknown) {
    return "how much is missing cannot be told";
  }
  if (percent == 0) {
    return kind == Needs::at_least ? "at least its last bytes are missing" : "less than 1 % of it is missing";
  }
  const char* qualifier = kind == Needs::at_least ? "at least " : kind == Needs::about ? "about " : "";
  return qualifier + std::to_string(percent) + " % of it is missing";
}

// A cut-short verdict: "the file is cut short: 71 % of it is missing (detail)".
Completeness cut_short(Bytes d, std::uint64_t needs, Needs kind, bool shows_picture,
                       const std::string& detail) {
  Completeness c;
  c.state = State::cut_short;
  c.needs = needs;
  c.needs_kind = kind;
  c.shows_picture = shows_picture;
  c.what = "the file is cut short: " + percent_words(missing_percent(d.size(), needs), kind);
  if (!detail.empty()) {
    c.what += " (" + detail + ")";
  }
  return c;
}

Completeness corrupt(const std::string& what) {
  Completeness c;
  c.state = State::corrupt;
  c.what = "corrupt: " + what;
  return c;
}

// A box type of ISO-BMFF: four printable ASCII characters.
bool printable_type(Bytes d, std::size_t at) {
  return std::all_of(d.begin() + static_cast<std::ptrdiff_t>(at),
                     d.begin() + static_cast<std::ptrdiff_t>(at + 4),
                     [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
}

// ISO base media (HEIC, AVIF, CR3, MOV, MP4): the top-level boxes must tile the file.
Completeness check_bmff(Bytes d) {
  std::uint64_t at = 0;
  while (at < d.size()) {
    const std::uint64_t left = d.size() - at;
    if (left < 8) {
      return cut_short(d, at + 8, Needs::at_least, false,
                       "a box header is cut off at byte " + std::to_string(at));
    }
    if (!printable_type(d, at + 4)) {
      return corrupt("the box at byte " + std::to_string(at) + " has no valid type");
    }
    // Printable, yet escaped as every text from a file is (a backslash).
    const std::string type =
        display_text(std::string_view(reinterpret_cast<const char*>(d.data() + at + 4), 4));
    std::uint64_t size = be32(d, at);
    std::uint64_t header = 8;
    if (size == 1) {
      if (left < 16) {
        return cut_short(d, at + 16, Needs::at_least, false, "the '" + type + "' box header is cut off");
      }
      size = be64(d, at + 8);
      header = 16;
    } else if (size == 0) {
      return {}; // the last box runs to the end of the file
    }
    if (size < header) {
      return corrupt("the '" + type + "' box at byte " + std::to_string(at) + " has an impossible size (" +
                     std::to_string(size) + " bytes)");
    }
    if (size > left) {
      if (size > k_plausible_bytes - at) {
        return corrupt("the '" + type + "' box at byte " + std::to_string(at) + " claims " +
                       std::to_string(size) + " bytes, more than any photo or movie holds");
      }
      // The picture data is the mdat box, usually the last: what it needs is what the file needs.
      const bool mdat = type == "mdat";
      return cut_short(d, at + size, mdat ? Needs::exact : Needs::at_least, mdat && left > header,
                       "its '" + type + "' box needs " + std::to_string(size) + " bytes, the file has " +
                           std::to_string(left) + " left");
    }
    at += size;
  }
  return {};
}

// What a JPEG walk learns of the picture: its size in MCUs and the restart interval.
struct JpegFrame {
  std::uint64_t mcus = 0;       // 0: not known
  std::uint32_t restart = 0;    // MCUs per restart interval; 0: no restart markers
  bool progressive = false;     // several scans: the first does not hold the whole picture
  std::uint64_t scan_start = 0; // where the entropy-coded data of the last scan begins
  std::uint64_t restarts = 0;   // restart markers seen in that scan
  int scans = 0;
};

void read_frame(Bytes d, std::size_t at, std::size_t length, std::uint8_t marker, JpegFrame& frame) {
  if (length < 8 || at + 2 + length > d.size()) {
    return;
  }
  const std::uint32_t height = std::uint32_t(d[at + 5]) << 8 | d[at + 6];
  const std::uint32_t width = std::uint32_t(d[at + 7]) << 8 | d[at + 8];
  const std::uint32_t components = d[at + 9];
  if (length < 8 + 3 * components || components == 0) {
    return;
  }
  std::uint32_t h_max = 1, v_max = 1;
  for (std::uint32_t c = 0; c < components; ++c) {
    const std::uint8_t sampling = d[at + 11 + 3 * c];
    h_max = std::max<std::uint32_t>(h_max, std::max(sampling >> 4, 1));
    v_max = std::max<std::uint32_t>(v_max, std::max(sampling & 15, 1));
  }
  const std::uint32_t mcu_w = components == 1 ? 8 : 8 * h_max;
  const std::uint32_t mcu_h = components == 1 ? 8 : 8 * v_max;
  frame.mcus = std::uint64_t((width + mcu_w - 1) / mcu_w) * ((height + mcu_h - 1) / mcu_h);
  frame.progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
}

// A JPEG that ends without its end-of-image marker: how much its restart markers say is left.
Completeness jpeg_cut(Bytes d, const JpegFrame& f, bool in_scan) {
  if (f.scans == 0) {
    return cut_short(d, 0, Needs::exact, false, "it ends before its picture data");
  }
  if (!in_scan || f.progressive || f.restart == 0 || f.mcus == 0) {
    return cut_short(d, 0, Needs::exact, true, "it ends before its end-of-image marker");
  }
  const std::uint64_t intervals = (f.mcus + f.restart - 1) / f.restart;
  if (f.restarts + 1 >= intervals) {
    return cut_short(d, d.size() + 2, Needs::exact, true, "only its last bytes are missing");
  }
  // The data so far holds restarts + ½ intervals of the picture, on average.
  const double share = (static_cast<double>(f.restarts) + 0.5) / static_cast<double>(intervals);
  const auto scan_bytes = static_cast<double>(d.size() - f.scan_start);
  const double estimate = std::min(scan_bytes / share, static_cast<double>(k_plausible_bytes));
  const auto needs = f.scan_start + static_cast<std::uint64_t>(estimate);
  return cut_short(d, std::max<std::uint64_t>(needs, d.size() + 2), Needs::about, true,
                   std::to_string(f.restarts + 1) + " of its " + std::to_string(intervals) +
                       " restart intervals are there");
}

// JPEG: the entropy-coded data must end with an EOI marker. Fast path: an EOI near the end of
// the file; otherwise walk the segments (files with appended data, e.g. motion photos).
Completeness check_jpeg(Bytes d) {
  if (d.size() < 4 || d[0] != 0xFF || d[1] != 0xD8) {
    return corrupt("no JPEG start-of-image marker");
  }
  // The last two bytes are the EOI marker of a whole file, or of the last image appended.
  if (d[d.size() - 2] == 0xFF && d[d.size() - 1] == 0xD9) {
    return {};
  }
  JpegFrame frame;
  std::size_t at = 2;
  bool in_scan = false;
  while (at + 1 < d.size()) {
    if (in_scan) {
      const auto* p = static_cast<const std::uint8_t*>(std::memchr(d.data() + at, 0xFF, d.size() - at));
      if (!p) {
        break;
      }
      at = static_cast<std::size_t>(p - d.data());
      if (at + 1 >= d.size()) {
        break;
      }
      const std::uint8_t m = d[at + 1];
      if (m >= 0xD0 && m <= 0xD7) {
        ++frame.restarts;
      }
      if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0xFF) {
        at += m == 0xFF ? 1 : 2;
        continue;
      }
      in_scan = false;
    }
    if (d[at] != 0xFF) {
      return corrupt("JPEG segment marker expected at byte " + std::to_string(at));
    }
    const std::uint8_t marker = d[at + 1];
    if (marker == 0xFF) {
      ++at;
      continue;
    }
    if (marker == 0xD9) {
      // A second image may follow: an MPF or Ultra HDR gain map, itself a whole JPEG.
      const Bytes rest = d.subspan(at + 2);
      if (rest.size() >= 2 && rest[0] == 0xFF && rest[1] == 0xD8) {
        Completeness inner = check_jpeg(rest);
        if (inner.state != State::complete) {
          inner.what += " (in the image appended after the first)";
          inner.needs = inner.needs == 0 ? 0 : inner.needs + at + 2;
          inner.shows_picture = true; // the first image is whole
        }
        return inner;
      }
      return {};
    }
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;
      continue;
    }
    if (at + 4 > d.size()) {
      break;
    }
    const std::size_t length = std::size_t(d[at + 2]) << 8 | d[at + 3];
    if (length < 2) {
      return corrupt("JPEG segment of length " + std::to_string(length) + " at byte " + std::to_string(at));
    }
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      read_frame(d, at, length, marker, frame);
    } else if (marker == 0xDD && length >= 4 && at + 6 <= d.size()) {
      frame.restart = std::uint32_t(d[at + 4]) << 8 | d[at + 5];
    }
    if (at + 2 + length > d.size() && marker != 0xDA) {
      return cut_short(d, at + 2 + length, Needs::at_least, frame.scans > 0,
                       "a segment before its end-of-image marker is cut off");
    }
    at += 2 + length;
    if (marker == 0xDA) {
      in_scan = true;
      ++frame.scans;
      frame.scan_start = at;
      frame.restarts = 0;
    }
  }
  return jpeg_cut(d, frame, in_scan);
}

// PNG: chunks must run, intact, up to IEND.
Completeness check_png(Bytes d) {
  static constexpr std::uint8_t k_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (d.size() < 8 || std::memcmp(d.data(), k_signature, 8) != 0) {
    return corrupt("no PNG signature");
  }
  std::uint64_t at = 8;
  bool picture = false;
  while (d.size() - at >= 12) {
    const std::uint64_t length = be32(d, at);
    const bool letters = std::all_of(d.begin() + static_cast<std::ptrdiff_t>(at + 4),
                                     d.begin() + static_cast<std::ptrdiff_t>(at + 8),
                                     [](std::uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; });
    if (!letters || length > 0x7FFFFFFF) {
      return corrupt("the PNG chunk at byte " + std::to_string(at) + " has " +
                     (letters ? "an impossible length" : "no valid type"));
    }
    if (std::memcmp(d.data() + at + 4, "IEND", 4) == 0) {
      return {};
    }
    const bool idat = std::memcmp(d.data() + at + 4, "IDAT", 4) == 0;
    if (length > d.size() - at - 12) {
      return cut_short(d, at + 12 + length, Needs::at_least, picture || (idat && d.size() - at > 8),
                       "a chunk before IEND is cut off");
    }
    picture = picture || (idat && length > 0);
    at += 12 + length;
  }
  return cut_short(d, at + 12, Needs::at_least, picture, "it ends before its IEND chunk");
}

// TIFF, BigTIFF and TIFF-based RAW: every IFD, and every strip, tile and embedded JPEG an IFD
// points to, must lie inside the file. BigTIFF (version 43) has 8-byte counts and offsets and
// 20-byte directory entries.
class TiffChecker {
public:
  TiffChecker(Bytes d, bool big) : m_d(d), m_le(d[0] == 'I'), m_big(big) {}

  Completeness check() {
    walk(m_big ? u64(8) : u32(4), 0);
    if (m_needs <= m_d.size()) {
      return {};
    }
    if (m_needs > k_plausible_bytes) {
      return corrupt(m_what + " at byte " + std::to_string(m_needs) + ", past any plausible size");
    }
    const bool shows = m_main_area > 0 && m_main_starts_inside;
    return cut_short(m_d, m_needs, Needs::at_least, shows, m_what + " lies beyond the end of the file");
  }

private:
  Bytes m_d;
  bool m_le;
  bool m_big;
  std::uint64_t m_needs = 0; // the furthest byte the structure refers to
  std::string m_what;        // what lies furthest beyond the end
  int m_ifds = 0;
  std::uint64_t m_main_area = 0;     // the largest image seen (width x height) ...
  bool m_main_starts_inside = false; // ... and whether its first strip or tile is in the file

  std::uint64_t entry_size() const { return m_big ? 20 : 12; }
  std::uint64_t count_size() const { return m_big ? 8 : 2; }
  std::uint64_t offset_size() const { return m_big ? 8 : 4; }
  bool fits(std::uint64_t at, std::uint64_t n) const { return at <= m_d.size() && n <= m_d.size() - at; }

  std::uint32_t u16(std::uint64_t at) const {
    return m_le ? m_d[at] | m_d[at + 1] << 8 : m_d[at] << 8 | m_d[at + 1];
  }
  std::uint32_t u32(std::uint64_t at) const {
    return m_le ? std::uint32_t(m_d[at]) | std::uint32_t(m_d[at + 1]) << 8 |
                      std::uint32_t(m_d[at + 2]) << 16 | std::uint32_t(m_d[at + 3]) << 24
                : be32(m_d, at);
  }
  std::uint64_t u64(std::uint64_t at) const {
    return m_le ? std::uint64_t(u32(at)) | std::uint64_t(u32(at + 4)) << 32
                : std::uint64_t(u32(at)) << 32 | u32(at + 4);
  }
  std::uint64_t offset_at(std::uint64_t at) const { return m_big ? u64(at) : u32(at); }

  void beyond(std::uint64_t end, const char* what) {
    if (end > m_d.size() && end > m_needs) {
      m_needs = end;
      m_what = what;
    }
  }

  static std::uint32_t type_size(std::uint32_t type) {
    static constexpr std::uint32_t k_type_size[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8};
    return type < std::size(k_type_size) ? k_type_size[type] : 0;
  }

  // Values of a SHORT, LONG, LONG8 or IFD tag, whether inline or at an offset.
  std::vector<std::uint64_t> values(std::uint64_t entry) {
    const std::uint32_t type = u16(entry + 2);
    const std::uint64_t count = m_big ? u64(entry + 4) : u32(entry + 4);
    const std::uint32_t width = type == 3                  ? 2
                                : type == 4 || type == 13  ? 4
                                : type == 16 || type == 18 ? 8
                                                           : 0;
    std::vector<std::uint64_t> out;
    if (width == 0 || count == 0 || count > 1'000'000) {
      return out;
    }
    std::uint64_t at = entry + 4 + offset_size();
    if (std::uint64_t(width) * count > offset_size()) {
      at = offset_at(at);
      if (!fits(at, std::uint64_t(width) * count)) {
        beyond(at + std::uint64_t(width) * count, "a tag's data");
        return out;
      }
    }
    for (std::uint64_t i = 0; i < count; ++i) {
      out.push_back(width == 2 ? u16(at + 2 * i) : width == 4 ? u32(at + 4 * i) : u64(at + 8 * i));
    }
    return out;
  }

  // A tag whose value does not fit in the entry keeps it at an offset: it must be in the file.
  void check_value_extent(std::uint64_t entry) {
    const std::uint64_t count = m_big ? u64(entry + 4) : u32(entry + 4);
    const std::uint64_t bytes = type_size(u16(entry + 2)) * std::min<std::uint64_t>(count, k_plausible_bytes);
    if (bytes > offset_size()) {
      const std::uint64_t at = offset_at(entry + 4 + offset_size());
      if (!fits(at, bytes)) {
        beyond(at + bytes, "the value of a tag");
      }
    }
  }

  void check_extents(const std::vector<std::uint64_t>& offsets, const std::vector<std::uint64_t>& sizes,
                     const char* what) {
    for (std::size_t i = 0; i < offsets.size() && i < sizes.size(); ++i) {
      if (!fits(offsets[i], sizes[i])) {
        beyond(std::min(offsets[i], k_plausible_bytes) + std::min(sizes[i], k_plausible_bytes), what);
      }
    }
  }

  void note_image(std::uint64_t area, const std::vector<std::uint64_t>& first_offsets) {
    if (area > m_main_area && !first_offsets.empty()) {
      m_main_area = area;
      m_main_starts_inside = first_offsets[0] < m_d.size();
    }
  }

  void walk(std::uint64_t ifd, int depth) {
    while (ifd != 0 && depth < 4 && ++m_ifds < 64) {
      if (!fits(ifd, count_size())) {
        beyond(ifd + count_size(), "an image directory");
        return;
      }
      const std::uint64_t count = m_big ? u64(ifd) : u16(ifd);
      const std::uint64_t first = ifd + count_size();
      if (count > 1'000'000 || !fits(first, entry_size() * count + offset_size())) {
        beyond(first + entry_size() * std::min<std::uint64_t>(count, 1'000'000) + offset_size(),
               "an image directory");
        return;
      }
      std::vector<std::uint64_t> strip_offsets, strip_sizes, tile_offsets, tile_sizes, jpeg_offset, jpeg_size;
      std::vector<std::uint64_t> sub_ifds, width, height;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t entry = first + entry_size() * i;
        check_value_extent(entry);
        switch (u16(entry)) {
        case 0x0100: width = values(entry); break;
        case 0x0101: height = values(entry); break;
        case 0x0111: strip_offsets = values(entry); break;
        case 0x0117: strip_sizes = values(entry); break;
        case 0x0144: tile_offsets = values(entry); break;
        case 0x0145: tile_sizes = values(entry); break;
        case 0x0201: jpeg_offset = values(entry); break;
        case 0x0202: jpeg_size = values(entry); break;
        case 0x014A:
        case 0x8769: // Exif IFD
        case 0x8825: // GPS IFD
        {
          const auto more = values(entry);
          sub_ifds.insert(sub_ifds.end(), more.begin(), more.end());
          break;
        }
        default: break;
        }
      }
      check_extents(strip_offsets, strip_sizes, "image data");
      check_extents(tile_offsets, tile_sizes, "image data");
      check_extents(jpeg_offset, jpeg_size, "an embedded JPEG");
      const std::uint64_t area = width.empty() || height.empty() ? 0 : width[0] * height[0];
      note_image(area, strip_offsets.empty() ? tile_offsets : strip_offsets);
      for (auto sub : sub_ifds) {
        walk(sub, depth + 1);
      }
      ifd = offset_at(first + entry_size() * count);
    }
  }
};

Completeness check_tiff(Bytes d) {
  if (d.size() < 8 || !((d[0] == 'I' && d[1] == 'I') || (d[0] == 'M' && d[1] == 'M'))) {
    return corrupt("no TIFF header");
  }
  const bool le = d[0] == 'I';
  const std::uint32_t version = le ? d[2] | d[3] << 8 : d[2] << 8 | d[3];
  if (version == 43) { // BigTIFF: byte size of offsets (8), then 0, then the first IFD's offset
    const std::uint32_t offset_bytes = le ? d[4] | d[5] << 8 : d[4] << 8 | d[5];
    if (d.size() < 16 || offset_bytes != 8) {
      return d.size() < 16
                 ? cut_short(d, 16, Needs::at_least, false, "its BigTIFF header is cut off")
                 : corrupt("a BigTIFF header with " + std::to_string(offset_bytes) + "-byte offsets");
    }
    return TiffChecker(d, true).check();
  }
  return TiffChecker(d, false).check();
}

} // namespace

std::uint8_t missing_percent(std::uint64_t size, std::uint64_t needs) {
  if (needs == 0 || needs <= size) {
    return k_missing_unknown;
  }
  return static_cast<std::uint8_t>((needs - size) * 100 / needs);
}

Completeness assess_complete(Format format, std::span<const std::uint8_t> data) {
  switch (format) {
  case Format::heic:
  case Format::avif:
  case Format::cr3:
  case Format::mov:
  case Format::mp4:
  case Format::m4v:
  case Format::threegp: return check_bmff(data);
  case Format::jpeg: return check_jpeg(data);
  case Format::png: return check_png(data);
  case Format::tiff:
  case Format::dng:
  case Format::cr2:
  case Format::nef:
  case Format::arw:
  case Format::raw: return check_tiff(data);
  default: return {};
  }
}

std::string check_complete(Format format, std::span<const std::uint8_t> data) {
  return assess_complete(format, data).what;
}

} // namespace ipd
