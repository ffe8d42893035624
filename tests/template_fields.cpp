#include "tests/template_fields.hpp"

#include <libheif/heif.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace ipd::test {
namespace {

struct Region {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// A JPEG's metadata: from its start to its first scan (SOS), where the entropy-coded data begins.
Region jpeg_metadata(const std::string& bytes) {
  std::size_t at = 2;
  while (at + 4 <= bytes.size() && static_cast<unsigned char>(bytes[at]) == 0xFF) {
    const auto marker = static_cast<unsigned char>(bytes[at + 1]);
    if (marker == 0xDA) {
      return {0, at};
    }
    const std::size_t length = (std::size_t(static_cast<unsigned char>(bytes[at + 2])) << 8) |
                               static_cast<unsigned char>(bytes[at + 3]);
    at += 2 + length;
  }
  throw std::runtime_error("template: a JPEG without a scan");
}

// A HEIC's EXIF item, found by its bytes (libheif hands out the item, not where it lies).
Region heic_exif(const std::string& bytes) {
  std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                      heif_context_free);
  heif_error error =
      heif_context_read_from_memory_without_copy(context.get(), bytes.data(), bytes.size(), nullptr);
  heif_image_handle* raw = nullptr;
  if (error.code == heif_error_Ok) {
    error = heif_context_get_primary_image_handle(context.get(), &raw);
  }
  if (error.code != heif_error_Ok) {
    throw std::runtime_error(std::string("template: ") + error.message);
  }
  std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)> handle(raw,
                                                                                  heif_image_handle_release);
  heif_item_id id = 0;
  if (heif_image_handle_get_list_of_metadata_block_IDs(raw, "Exif", &id, 1) != 1) {
    throw std::runtime_error("template: a HEIC without EXIF");
  }
  std::string block(heif_image_handle_get_metadata_size(raw, id), '\0');
  error = heif_image_handle_get_metadata(raw, id, block.data());
  const auto at = bytes.find(block);
  if (error.code != heif_error_Ok || block.empty() || at == std::string::npos) {
    throw std::runtime_error("template: the HEIC's EXIF item is not in its bytes");
  }
  return {at, at + block.size()};
}

std::vector<std::size_t> all(std::string_view haystack, std::string_view needle) {
  std::vector<std::size_t> found;
  if (needle.empty()) {
    return found;
  }
  for (auto at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) {
    found.push_back(at);
  }
  return found;
}

} // namespace

TemplateFields TemplateFields::locate(const std::string& bytes, const CaptureFields& fields) {
  const bool heif = bytes.size() > 12 && bytes.compare(4, 4, "ftyp") == 0;
  const Region region = heif ? heic_exif(bytes) : jpeg_metadata(bytes);
  const std::string_view metadata = std::string_view(bytes).substr(region.begin, region.end - region.begin);
  TemplateFields t;
  auto add = [&](std::string CaptureFields::*field, std::string_view text, std::size_t offset) {
    t.m_places.push_back({region.begin + offset, field, text.size()});
  };
  // ASCII values longer than four bytes lie outside their IFD entry, NUL-terminated.
  for (auto field :
       {&CaptureFields::date, &CaptureFields::offset, &CaptureFields::content_id, &CaptureFields::burst_id}) {
    const std::string& text = fields.*field;
    if (!text.empty()) {
      for (std::size_t at : all(metadata, std::string_view(text.c_str(), text.size() + 1))) {
        add(field, text, at);
      }
    }
  }
  if (std::none_of(t.m_places.begin(), t.m_places.end(),
                   [](const Place& p) { return p.field == &CaptureFields::date; })) {
    throw std::runtime_error("template: its date " + fields.date + " is not in its EXIF");
  }
  // SubSecTime, SubSecTimeOriginal, SubSecTimeDigitized: ASCII of count 4 or less, held inside
  // the entry, in either byte order: tag, type 2, count, value.
  if (!fields.subsec.empty() && fields.subsec.size() <= 3) {
    const auto count = static_cast<char>(fields.subsec.size() + 1);
    std::string value = fields.subsec;
    value.resize(4, '\0');
    for (const char tag : {'\x90', '\x91', '\x92'}) {
      const std::string big = std::string("\x92", 1) + tag + std::string("\0\x02\0\0\0", 5) + count + value;
      const std::string little =
          std::string(1, tag) + std::string("\x92\x02\0", 3) + count + std::string("\0\0\0", 3) + value;
      for (const std::string& entry : {big, little}) {
        for (std::size_t at : all(metadata, entry)) {
          add(&CaptureFields::subsec, fields.subsec, at + 8);
        }
      }
    }
  }
  return t;
}

std::string TemplateFields::clone(std::string bytes, const CaptureFields& fields) const {
  for (const Place& p : m_places) {
    const std::string& text = fields.*(p.field);
    if (text.size() != p.width) {
      throw std::invalid_argument("template: \"" + text + "\" does not fit a field of " +
                                  std::to_string(p.width) + " characters");
    }
    bytes.replace(p.at, p.width, text);
  }
  return bytes;
}

} // namespace ipd::test
