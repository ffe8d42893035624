// The true type of a file, from its first bytes (libmagic and the ISO-BMFF brand), not its name.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipd {

// How many leading bytes sniff() wants.
constexpr std::size_t k_sniff_bytes = 64 * 1024;

struct Sniffed {
  Format format = Format::unknown;
  Kind kind = Kind::other;
  std::string mime;
};

// One per thread: libmagic's handle is not thread-safe.
class Sniffer {
public:
  Sniffer();
  ~Sniffer();
  Sniffer(const Sniffer&) = delete;
  Sniffer& operator=(const Sniffer&) = delete;

  // Decides format and kind from `head` (the first bytes of the file) and the file `name`,
  // which only tells RAW flavours of TIFF apart and marks text as an AAE or XMP sidecar.
  Sniffed sniff(std::span<const std::uint8_t> head, std::string_view name);

private:
  void* m_magic = nullptr;
};

// The extension of a file name, lowercased, without the dot ("" when none).
std::string lower_extension(std::string_view name);

} // namespace ipd
