// Cloning full-size files from a template: the fixed-width metadata fields that make a capture
// a capture (its instant, its content identifier, its burst) are found once in a template file
// and rewritten in place in copies of its bytes, so that thousands of full-size pictures cost a
// few encodes. Pixels are shared by every clone of a template; nothing else changes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ipd::test {

// The texts of one capture's fields; a clone's texts have the template's widths.
struct CaptureFields {
  std::string date;       // "YYYY:MM:DD HH:MM:SS": DateTime, DateTimeOriginal, DateTimeDigitized
  std::string subsec;     // SubSecTime* digits, held in their IFD entry (at most 3)
  std::string offset;     // OffsetTime* "+hh:mm"
  std::string content_id; // the Apple MakerNote's content identifier (a UUID)
  std::string burst_id;   // the Apple MakerNote's BurstUUID
};

class TemplateFields {
public:
  // The places in `bytes` (a JPEG or a HEIC) that hold a field of `fields`, searched only in its
  // metadata: a JPEG's segments before its first scan, a HEIC's EXIF item. A field that is empty,
  // or that the file does not hold (an EXIF without a MakerNote), has no place. Throws
  // std::runtime_error when the file holds no EXIF with `fields.date`.
  static TemplateFields locate(const std::string& bytes, const CaptureFields& fields);
  // A file with no fields (a copy stripped of its metadata).
  TemplateFields() = default;

  // A copy of the template's `bytes` with every field it holds set to `fields`; throws
  // std::invalid_argument when a text's width differs from the template's.
  std::string clone(std::string bytes, const CaptureFields& fields) const;

  // How many places hold a field (for checks).
  std::size_t places() const { return m_places.size(); }

private:
  struct Place {
    std::size_t at = 0;
    std::string CaptureFields::*field = nullptr;
    std::size_t width = 0;
  };
  std::vector<Place> m_places;
};

} // namespace ipd::test
