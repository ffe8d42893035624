#include "index/read/metadata.hpp"

#include <cstring>
#include <string_view>

namespace ipd {
namespace {

constexpr std::string_view k_apple_signature{"Apple iOS\0", 10};
constexpr std::size_t k_byte_order_at = 12;
constexpr std::size_t k_ifd_at = 14;
constexpr std::size_t k_entry_size = 12;
constexpr std::uint16_t k_tag_burst_id = 0x000b;
constexpr std::uint16_t k_tag_content_id = 0x0011;
constexpr std::uint16_t k_type_ascii = 2;
constexpr std::uint16_t k_type_undefined = 7;
constexpr std::uint16_t k_type_byte = 1;

// A bounds-checked reader of TIFF-style integers in one byte order.
class Reader {
public:
  Reader(std::span<const std::uint8_t> bytes, bool big_endian) : m_bytes(bytes), m_big_endian(big_endian) {}

  // True when [offset, offset + length) lies inside the bytes.
  bool holds(std::uint64_t offset, std::uint64_t length) const {
    return offset <= m_bytes.size() && length <= m_bytes.size() - offset;
  }

  std::uint16_t u16(std::size_t offset) const {
    const std::uint8_t* p = m_bytes.data() + offset;
    return m_big_endian ? static_cast<std::uint16_t>(p[0] << 8 | p[1])
                        : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
  }

  std::uint32_t u32(std::size_t offset) const {
    const std::uint8_t* p = m_bytes.data() + offset;
    return m_big_endian
               ? std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3]
               : std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
  }

  std::span<const std::uint8_t> slice(std::size_t offset, std::size_t length) const {
    return m_bytes.subspan(offset, length);
  }

private:
  std::span<const std::uint8_t> m_bytes;
  bool m_big_endian;
};

// The text of an ASCII/undefined value: up to the first NUL, without surrounding spaces;
// empty when it holds anything but printable ASCII.
std::string printable_text(std::span<const std::uint8_t> value) {
  std::size_t end = 0;
  while (end < value.size() && value[end] != 0) {
    ++end;
  }
  std::size_t begin = 0;
  while (begin < end && value[begin] == ' ') {
    ++begin;
  }
  while (end > begin && value[end - 1] == ' ') {
    --end;
  }
  std::string text;
  text.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    if (value[i] < 0x20 || value[i] > 0x7e) {
      return {};
    }
    text.push_back(static_cast<char>(value[i]));
  }
  return text;
}

// The bytes of a text entry's value (inline when 4 bytes or fewer), or an empty span when the
// entry is not text or points outside the MakerNote.
std::span<const std::uint8_t> text_value(const Reader& reader, std::size_t entry) {
  const std::uint16_t type = reader.u16(entry + 2);
  if (type != k_type_ascii && type != k_type_undefined && type != k_type_byte) {
    return {};
  }
  const std::uint32_t count = reader.u32(entry + 4);
  if (count <= 4) {
    return reader.slice(entry + 8, count);
  }
  const std::uint32_t offset = reader.u32(entry + 8);
  if (!reader.holds(offset, count)) {
    return {};
  }
  return reader.slice(offset, count);
}

} // namespace

std::optional<AppleMakerNote> parse_apple_makernote(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < k_ifd_at + 2 ||
      std::memcmp(bytes.data(), k_apple_signature.data(), k_apple_signature.size()) != 0) {
    return std::nullopt;
  }
  const std::uint8_t b0 = bytes[k_byte_order_at];
  const std::uint8_t b1 = bytes[k_byte_order_at + 1];
  const bool big_endian = b0 == 'M' && b1 == 'M';
  if (!big_endian && !(b0 == 'I' && b1 == 'I')) {
    return std::nullopt;
  }
  const Reader reader(bytes, big_endian);
  const std::uint16_t count = reader.u16(k_ifd_at);
  AppleMakerNote note;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t entry = k_ifd_at + 2 + i * k_entry_size;
    if (!reader.holds(entry, k_entry_size)) {
      break;
    }
    const std::uint16_t tag = reader.u16(entry);
    if (tag == k_tag_content_id && note.content_id.empty()) {
      note.content_id = printable_text(text_value(reader, entry));
    } else if (tag == k_tag_burst_id && note.burst_id.empty()) {
      note.burst_id = printable_text(text_value(reader, entry));
    }
  }
  return note;
}

} // namespace ipd
