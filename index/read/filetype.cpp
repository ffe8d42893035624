#include "index/read/filetype.hpp"

#include "index/core/error.hpp"

#include <array>
#include <magic.h>

namespace ipd {

namespace {

std::string_view bytes_at(std::span<const std::uint8_t> head, std::size_t offset, std::size_t n) {
  if (head.size() < offset + n) {
    return {};
  }
  return {reinterpret_cast<const char*>(head.data() + offset), n};
}

// ISO base media files (HEIC, AVIF, CR3, MOV, MP4, 3GP) by the major brand of their ftyp box.
Format bmff_format(std::span<const std::uint8_t> head, std::string_view ext) {
  const std::string_view type = bytes_at(head, 4, 4);
  if (type == "ftyp") {
    const std::string_view brand = bytes_at(head, 8, 4);
    if (brand == "heic" || brand == "heix" || brand == "hevc" || brand == "hevx" || brand == "heim" ||
        brand == "heis" || brand == "mif1" || brand == "msf1") {
      return Format::heic;
    }
    if (brand == "avif" || brand == "avis") {
      return Format::avif;
    }
    if (brand == "crx ") {
      return Format::cr3;
    }
    if (brand == "qt  ") {
      return Format::mov;
    }
    if (brand.substr(0, 3) == "3gp" || brand.substr(0, 3) == "3g2") {
      return Format::threegp;
    }
    if (brand == "M4V " || brand == "M4VH" || brand == "M4VP" || ext == "m4v") {
      return Format::m4v;
    }
    if (brand == "M4A " || brand == "M4B ") {
      return Format::unknown;
    }
    return Format::mp4;
  }
  // Old QuickTime files start with a moov, mdat, wide or free atom.
  if (type == "moov" || type == "mdat" || type == "wide" || (type == "free" && ext == "mov")) {
    return Format::mov;
  }
  return Format::unknown;
}

// True when the first IFD of a TIFF holds the DNGVersion tag (0xC612).
bool tiff_is_dng(std::span<const std::uint8_t> head) {
  if (head.size() < 8) {
    return false;
  }
  const bool le = head[0] == 'I';
  auto u16 = [&](std::size_t at) -> unsigned {
    return le ? head[at] | head[at + 1] << 8 : head[at] << 8 | head[at + 1];
  };
  auto u32 = [&](std::size_t at) -> std::uint64_t {
    return le ? std::uint64_t(head[at]) | std::uint64_t(head[at + 1]) << 8 |
                    std::uint64_t(head[at + 2]) << 16 | std::uint64_t(head[at + 3]) << 24
              : std::uint64_t(head[at]) << 24 | std::uint64_t(head[at + 1]) << 16 |
                    std::uint64_t(head[at + 2]) << 8 | std::uint64_t(head[at + 3]);
  };
  const std::uint64_t ifd = u32(4);
  if (ifd + 2 > head.size()) {
    return false;
  }
  const unsigned count = u16(ifd);
  for (unsigned i = 0; i < count; ++i) {
    const std::uint64_t entry = ifd + 2 + 12ull * i;
    if (entry + 12 > head.size()) {
      return false;
    }
    if (u16(entry) == 0xC612) {
      return true;
    }
  }
  return false;
}

Format tiff_format(std::span<const std::uint8_t> head, std::string_view ext) {
  if (tiff_is_dng(head) || ext == "dng") {
    return Format::dng;
  }
  if (ext == "nef" || ext == "nrw") {
    return Format::nef;
  }
  if (ext == "arw" || ext == "srf" || ext == "sr2") {
    return Format::arw;
  }
  if (ext == "cr2") {
    return Format::cr2;
  }
  static constexpr std::array<std::string_view, 8> k_raw = {"orf", "rw2", "pef", "srw",
                                                            "raw", "rwl", "iiq", "3fr"};
  for (auto raw : k_raw) {
    if (ext == raw) {
      return Format::raw;
    }
  }
  return Format::tiff;
}

Format format_from_mime(std::string_view mime, std::span<const std::uint8_t> head, std::string_view ext) {
  if (mime == "image/jpeg") {
    return Format::jpeg;
  }
  if (mime == "image/png") {
    return Format::png;
  }
  if (mime == "image/gif") {
    return Format::gif;
  }
  if (mime == "image/webp") {
    return Format::webp;
  }
  if (mime == "image/bmp" || mime == "image/x-ms-bmp") {
    return Format::bmp;
  }
  if (mime == "image/tiff") {
    return tiff_format(head, ext);
  }
  if (mime == "image/x-canon-cr2") {
    return Format::cr2;
  }
  if (mime == "image/x-canon-cr3") {
    return Format::cr3;
  }
  if (mime == "image/x-nikon-nef") {
    return Format::nef;
  }
  if (mime == "image/x-sony-arw") {
    return Format::arw;
  }
  if (mime == "image/x-olympus-orf" || mime == "image/x-panasonic-rw2" || mime == "image/x-fuji-raf") {
    return Format::raw;
  }
  if (mime == "video/x-msvideo") {
    return Format::avi;
  }
  return Format::unknown;
}

bool is_text(std::string_view mime) { return mime.substr(0, 5) == "text/" || mime == "application/xml"; }

} // namespace

std::string lower_extension(std::string_view name) {
  const auto slash = name.rfind('/');
  if (slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return {};
  }
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return ext;
}

Sniffer::Sniffer() {
  magic_t cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
                              MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_CDF | MAGIC_ERROR);
  if (!cookie) {
    throw Fatal("libmagic: cannot open");
  }
  if (magic_load(cookie, nullptr) != 0) {
    std::string message = magic_error(cookie) ? magic_error(cookie) : "cannot load its database";
    magic_close(cookie);
    throw Fatal("libmagic: " + message);
  }
  m_magic = cookie;
}

Sniffer::~Sniffer() { magic_close(static_cast<magic_t>(m_magic)); }

Sniffed Sniffer::sniff(std::span<const std::uint8_t> head, std::string_view name) {
  Sniffed out;
  const std::string ext = lower_extension(name);
  if (head.empty()) {
    out.mime = "application/x-empty";
    return out;
  }
  const char* mime = magic_buffer(static_cast<magic_t>(m_magic), head.data(), head.size());
  out.mime = mime ? mime : "application/octet-stream";

  out.format = bmff_format(head, ext);
  if (out.format == Format::unknown) {
    out.format = format_from_mime(out.mime, head, ext);
  }
  if (out.format == Format::unknown && is_text(out.mime)) {
    if (ext == "aae") {
      out.format = Format::aae;
    } else if (ext == "xmp") {
      out.format = Format::xmp;
    }
  }
  out.kind = kind_of(out.format);
  return out;
}

} // namespace ipd
