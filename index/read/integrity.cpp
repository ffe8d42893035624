#include "index/read/integrity.hpp"

#include "index/core/text.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace ipd {

namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint32_t be32(Bytes d, std::size_t at) {
  return std::uint32_t(d[at]) << 24 | std::uint32_t(d[at + 1]) << 16 | std::uint32_t(d[at + 2]) << 8 |
         d[at + 3];
}

std::uint64_t be64(Bytes d, std::size_t at) { return std::uint64_t(be32(d, at)) << 32 | be32(d, at + 4); }

// ISO base media (HEIC, AVIF, CR3, MOV, MP4): the top-level boxes must tile the file.
std::string check_bmff(Bytes d) {
  std::uint64_t at = 0;
  while (at < d.size()) {
    if (d.size() - at < 8) {
      return "truncated: a box header is cut off at byte " + std::to_string(at);
    }
    std::uint64_t size = be32(d, at);
    if (size == 1) {
      if (d.size() - at < 16) {
        return "truncated: a box header is cut off at byte " + std::to_string(at);
      }
      size = be64(d, at + 8);
    } else if (size == 0) {
      return {}; // the last box runs to the end of the file
    }
    if (size < 8) {
      return "corrupt: a box of size " + std::to_string(size) + " at byte " + std::to_string(at);
    }
    if (size > d.size() - at) {
      const std::string_view type(reinterpret_cast<const char*>(d.data() + at + 4), 4);
      return "truncated: the '" + display_text(type) + "' box needs " + std::to_string(size) +
             " bytes, the file has " + std::to_string(d.size() - at) + " left";
    }
    at += size;
  }
  return {};
}

// JPEG: the entropy-coded data must end with an EOI marker. Fast path: an EOI near the end of
// the file; otherwise walk the segments (files with appended data, e.g. motion photos).
std::string check_jpeg(Bytes d) {
  if (d.size() < 4 || d[0] != 0xFF || d[1] != 0xD8) {
    return "corrupt: no JPEG start-of-image marker";
  }
  // The last two bytes are the EOI marker of a whole file, or of the last image appended.
  if (d[d.size() - 2] == 0xFF && d[d.size() - 1] == 0xD9) {
    return {};
  }
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
      if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0xFF) {
        at += m == 0xFF ? 1 : 2;
        continue;
      }
      in_scan = false;
    }
    if (d[at] != 0xFF) {
      return "corrupt: JPEG segment marker expected at byte " + std::to_string(at);
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
        const std::string inner = check_jpeg(rest);
        return inner.empty() ? inner : inner + " (in the image appended after the first)";
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
      return "corrupt: JPEG segment of length " + std::to_string(length) + " at byte " + std::to_string(at);
    }
    at += 2 + length;
    if (marker == 0xDA) {
      in_scan = true;
    }
  }
  return "truncated: the JPEG ends before its end-of-image marker";
}

// PNG: chunks must run, intact, up to IEND.
std::string check_png(Bytes d) {
  static constexpr std::uint8_t k_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (d.size() < 8 || std::memcmp(d.data(), k_signature, 8) != 0) {
    return "corrupt: no PNG signature";
  }
  std::uint64_t at = 8;
  while (d.size() - at >= 12) {
    const std::uint64_t length = be32(d, at);
    if (std::memcmp(d.data() + at + 4, "IEND", 4) == 0) {
      return {};
    }
    if (length > d.size() - at - 12) {
      break;
    }
    at += 12 + length;
  }
  return "truncated: the PNG ends before its IEND chunk";
}

// TIFF and TIFF-based RAW: every IFD, and every strip, tile and embedded JPEG an IFD points
// to, must lie inside the file.
class TiffChecker {
public:
  explicit TiffChecker(Bytes d) : m_d(d), m_le(d[0] == 'I') {}

  std::string check() {
    walk(u32(4), 0);
    return m_error;
  }

private:
  Bytes m_d;
  bool m_le;
  std::string m_error;
  int m_ifds = 0;

  std::uint32_t u16(std::uint64_t at) const {
    return m_le ? m_d[at] | m_d[at + 1] << 8 : m_d[at] << 8 | m_d[at + 1];
  }
  std::uint32_t u32(std::uint64_t at) const {
    return m_le ? std::uint32_t(m_d[at]) | std::uint32_t(m_d[at + 1]) << 8 |
                      std::uint32_t(m_d[at + 2]) << 16 | std::uint32_t(m_d[at + 3]) << 24
                : be32(m_d, at);
  }

  void truncated(const std::string& what) {
    if (m_error.empty()) {
      m_error = "truncated: " + what + " lies beyond the end of the file";
    }
  }

  // Values of a SHORT or LONG tag, whether inline or at an offset.
  std::vector<std::uint64_t> values(std::uint64_t entry) {
    const std::uint32_t type = u16(entry + 2);
    const std::uint32_t count = u32(entry + 4);
    const std::uint32_t width = type == 3 ? 2 : type == 4 || type == 13 ? 4 : 0;
    std::vector<std::uint64_t> out;
    if (width == 0 || count == 0 || count > 1'000'000) {
      return out;
    }
    std::uint64_t at = entry + 8;
    if (std::uint64_t(width) * count > 4) {
      at = u32(entry + 8);
      if (at + std::uint64_t(width) * count > m_d.size()) {
        truncated("a tag's data");
        return out;
      }
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      out.push_back(width == 2 ? u16(at + 2ull * i) : u32(at + 4ull * i));
    }
    return out;
  }

  // A tag whose value does not fit in the entry keeps it at an offset: it must be in the file.
  void check_value_extent(std::uint64_t entry) {
    static constexpr std::uint32_t k_type_size[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};
    const std::uint32_t type = u16(entry + 2);
    const std::uint64_t count = u32(entry + 4);
    const std::uint64_t bytes = type < std::size(k_type_size) ? k_type_size[type] * count : 0;
    if (bytes > 4 && u32(entry + 8) + bytes > m_d.size()) {
      truncated("the value of tag " + std::to_string(u16(entry)));
    }
  }

  void check_extents(const std::vector<std::uint64_t>& offsets, const std::vector<std::uint64_t>& sizes,
                     const char* what) {
    for (std::size_t i = 0; i < offsets.size() && i < sizes.size(); ++i) {
      if (offsets[i] + sizes[i] > m_d.size()) {
        truncated(what);
        return;
      }
    }
  }

  void walk(std::uint64_t ifd, int depth) {
    while (ifd != 0 && m_error.empty() && depth < 4 && ++m_ifds < 64) {
      if (ifd + 2 > m_d.size()) {
        truncated("an image directory");
        return;
      }
      const std::uint32_t count = u16(ifd);
      if (ifd + 2 + 12ull * count + 4 > m_d.size()) {
        truncated("an image directory");
        return;
      }
      std::vector<std::uint64_t> strip_offsets, strip_sizes, tile_offsets, tile_sizes, jpeg_offset, jpeg_size;
      std::vector<std::uint64_t> sub_ifds;
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint64_t entry = ifd + 2 + 12ull * i;
        check_value_extent(entry);
        switch (u16(entry)) {
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
      for (auto sub : sub_ifds) {
        walk(sub, depth + 1);
      }
      ifd = u32(ifd + 2 + 12ull * count);
    }
  }
};

std::string check_tiff(Bytes d) {
  if (d.size() < 8 || !((d[0] == 'I' && d[1] == 'I') || (d[0] == 'M' && d[1] == 'M'))) {
    return "corrupt: no TIFF header";
  }
  return TiffChecker(d).check();
}

} // namespace

std::string check_complete(Format format, std::span<const std::uint8_t> data) {
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

} // namespace ipd
