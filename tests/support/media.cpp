#include "media.hpp"

#include "encode.hpp"

#include <exiv2/exiv2.hpp>
#include <vips/vips8>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace ipd::test {
namespace {

constexpr int k_blobs = 5;

} // namespace

std::vector<std::uint8_t> make_pixels(int width, int height, unsigned seed) {
  std::mt19937 random(seed * 2654435761u + 12345u);
  std::uniform_int_distribution<int> colour(0, 255);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double corners[4][3];
  for (auto& corner : corners) {
    for (double& channel : corner) {
      channel = colour(random);
    }
  }
  struct Blob {
    double cx, cy, rx, ry;
    std::uint8_t rgb[3];
  };
  std::vector<Blob> blobs(k_blobs);
  for (Blob& blob : blobs) {
    blob.cx = unit(random) * width;
    blob.cy = unit(random) * height;
    blob.rx = (0.1 + 0.3 * unit(random)) * width;
    blob.ry = (0.1 + 0.3 * unit(random)) * height;
    for (std::uint8_t& channel : blob.rgb) {
      channel = static_cast<std::uint8_t>(colour(random));
    }
  }
  const auto w = static_cast<std::size_t>(width);
  const auto h = static_cast<std::size_t>(height);
  std::vector<std::uint8_t> pixels(w * h * 3);
  for (std::size_t y = 0; y < h; ++y) {
    const double fy = h > 1 ? static_cast<double>(y) / static_cast<double>(h - 1) : 0.0;
    for (std::size_t x = 0; x < w; ++x) {
      const double fx = w > 1 ? static_cast<double>(x) / static_cast<double>(w - 1) : 0.0;
      std::uint8_t* out = &pixels[(y * w + x) * 3];
      for (int c = 0; c < 3; ++c) {
        const double top = corners[0][c] * (1 - fx) + corners[1][c] * fx;
        const double bottom = corners[2][c] * (1 - fx) + corners[3][c] * fx;
        out[c] = static_cast<std::uint8_t>(top * (1 - fy) + bottom * fy);
      }
      for (const Blob& blob : blobs) {
        const double dx = (static_cast<double>(x) - blob.cx) / blob.rx;
        const double dy = (static_cast<double>(y) - blob.cy) / blob.ry;
        if (dx * dx + dy * dy <= 1.0) {
          std::copy(std::begin(blob.rgb), std::end(blob.rgb), out);
        }
      }
    }
  }
  return pixels;
}

namespace {

bool wants_makernote(const ExifSpec& spec) {
  return spec.apple_makernote || !spec.content_id.empty() || !spec.burst_id.empty();
}

Exiv2::ExifData exif_of(const ExifSpec& spec) {
  Exiv2::ExifData exif;
  auto set_text = [&exif](const char* key, const std::string& value) {
    if (!value.empty()) {
      exif[key] = value;
    }
  };
  set_text("Exif.Image.Make", spec.make);
  set_text("Exif.Image.Model", spec.model);
  set_text("Exif.Image.Software", spec.software);
  if (spec.orientation > 0) {
    exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(spec.orientation);
  }
  set_text("Exif.Photo.DateTimeOriginal", spec.date_time_original);
  set_text("Exif.Photo.SubSecTimeOriginal", spec.subsec);
  set_text("Exif.Photo.OffsetTimeOriginal", spec.offset);
  set_text("Exif.Photo.DateTimeDigitized", spec.date_time_digitized);
  set_text("Exif.Image.DateTime", spec.date_time);
  set_text("Exif.GPSInfo.GPSDateStamp", spec.gps_date);
  if (!spec.gps_time.empty()) {
    Exiv2::URationalValue stamp;
    stamp.read(spec.gps_time);
    exif.add(Exiv2::ExifKey("Exif.GPSInfo.GPSTimeStamp"), &stamp);
  }
  if (!spec.original_raw_name.empty()) {
    const Exiv2::DataValue value(reinterpret_cast<const Exiv2::byte*>(spec.original_raw_name.data()),
                                 static_cast<long>(spec.original_raw_name.size()), Exiv2::invalidByteOrder,
                                 Exiv2::unsignedByte);
    exif.add(Exiv2::ExifKey("Exif.Image.OriginalRawFileName"), &value);
  }
  if (wants_makernote(spec)) {
    const std::string note = apple_makernote_bytes(spec.content_id, spec.burst_id);
    const Exiv2::DataValue value(reinterpret_cast<const Exiv2::byte*>(note.data()),
                                 static_cast<long>(note.size()), Exiv2::invalidByteOrder, Exiv2::undefined);
    exif.add(Exiv2::ExifKey("Exif.Photo.MakerNote"), &value);
  }
  return exif;
}

Exiv2::XmpData xmp_of(std::string_view date_created) {
  Exiv2::XmpData xmp;
  if (!date_created.empty()) {
    xmp["Xmp.photoshop.DateCreated"] = std::string(date_created);
  }
  return xmp;
}

void put_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

void put_u32(std::string& out, std::uint32_t value) {
  put_u16(out, static_cast<std::uint16_t>(value >> 16));
  put_u16(out, static_cast<std::uint16_t>(value & 0xffff));
}

} // namespace

std::string make_jpeg(int width, int height, const ExifSpec& exif, unsigned seed, int quality,
                      int restart_interval) {
  init_media_libraries();
  std::vector<std::uint8_t> pixels = make_pixels(width, height, seed);
  const vips::VImage image =
      vips::VImage::new_from_memory(pixels.data(), pixels.size(), width, height, 3, VIPS_FORMAT_UCHAR);
  auto* options = vips::VImage::option()->set("Q", quality)->set("strip", true);
  if (restart_interval > 0) {
    options->set("restart_interval", restart_interval);
  }
  const std::string jpeg = blob_bytes(image.jpegsave_buffer(options));
  return with_metadata(jpeg, exif_of(exif), xmp_of(exif.xmp_date_created));
}

std::string make_png(int width, int height, unsigned seed, std::string_view xmp_date_created) {
  init_media_libraries();
  std::vector<std::uint8_t> pixels = make_pixels(width, height, seed);
  const vips::VImage image =
      vips::VImage::new_from_memory(pixels.data(), pixels.size(), width, height, 3, VIPS_FORMAT_UCHAR);
  const std::string png = blob_bytes(image.pngsave_buffer(vips::VImage::option()->set("strip", true)));
  return with_metadata(png, Exiv2::ExifData(), xmp_of(xmp_date_created));
}

namespace {

// A width×height uncompressed TIFF carrying `exif`, and DNGVersion 1.4 when `dng`.
std::string tiff_with_exif(int width, int height, const ExifSpec& exif, unsigned seed, bool dng) {
  init_media_libraries();
  std::vector<std::uint8_t> pixels = make_pixels(width, height, seed);
  const vips::VImage image =
      vips::VImage::new_from_memory(pixels.data(), pixels.size(), width, height, 3, VIPS_FORMAT_UCHAR);
  const std::string tiff = blob_bytes(image.tiffsave_buffer(vips::VImage::option()->set("strip", true)));
  auto file = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(tiff.data()),
                                        static_cast<long>(tiff.size()));
  file->readMetadata();
  Exiv2::ExifData& data = file->exifData();
  for (const auto& datum : exif_of(exif)) {
    data[datum.key()] = datum.value();
  }
  if (dng) {
    Exiv2::DataValue version(Exiv2::unsignedByte);
    version.read("1 4 0 0");
    data["Exif.Image.DNGVersion"] = version;
  }
  file->writeMetadata();
  Exiv2::BasicIo& io = file->io();
  io.open();
  io.seek(0, Exiv2::BasicIo::beg);
  const Exiv2::DataBuf buffer = io.read(static_cast<long>(io.size()));
  io.close();
  return std::string(reinterpret_cast<const char*>(buffer.pData_), static_cast<std::size_t>(buffer.size_));
}

} // namespace

std::string make_dng(int width, int height, const ExifSpec& exif, unsigned seed) {
  return tiff_with_exif(width, height, exif, seed, true);
}

std::string make_tiff(int width, int height, const ExifSpec& exif, unsigned seed) {
  return tiff_with_exif(width, height, exif, seed, false);
}

std::string make_bigtiff(int width, int height, unsigned seed) {
  init_media_libraries();
  std::vector<std::uint8_t> pixels = make_pixels(width, height, seed);
  const vips::VImage image =
      vips::VImage::new_from_memory(pixels.data(), pixels.size(), width, height, 3, VIPS_FORMAT_UCHAR);
  return blob_bytes(image.tiffsave_buffer(
      vips::VImage::option()->set("strip", true)->set("bigtiff", true)->set("tile", true)));
}

ExifSpec iphone_exif(const char* when, const char* model, const char* content_id) {
  ExifSpec e;
  e.date_time_original = when;
  e.subsec = "123";
  e.offset = "-07:00";
  e.make = "Apple";
  e.model = model;
  e.software = "14.5";
  e.content_id = content_id;
  e.apple_makernote = true;
  return e;
}

std::string make_heic(int width, int height, const ExifSpec& exif, unsigned seed) {
  init_media_libraries();
  const std::vector<std::uint8_t> pixels = make_pixels(width, height, seed);
  return encode_heic(pixels.data(), width, height, exif.orientation, exif_of(exif),
                     xmp_of(exif.xmp_date_created), false);
}

std::string apple_makernote_bytes(std::string_view content_id, std::string_view burst_id) {
  struct Entry {
    std::uint16_t tag;
    std::uint16_t type;
    std::string value; // for ASCII; the 4 inline bytes otherwise
  };
  std::vector<Entry> entries;
  entries.push_back({0x0001, 9, std::string("\0\0\0\x0f", 4)});
  if (!burst_id.empty()) {
    entries.push_back({0x000b, 2, std::string(burst_id) + '\0'});
  }
  if (!content_id.empty()) {
    entries.push_back({0x0011, 2, std::string(content_id) + '\0'});
  }
  std::string note("Apple iOS\0\0\x01MM", 14);
  const std::size_t data_at = note.size() + 2 + entries.size() * 12 + 4;
  std::string data;
  put_u16(note, static_cast<std::uint16_t>(entries.size()));
  for (const Entry& entry : entries) {
    put_u16(note, entry.tag);
    put_u16(note, entry.type);
    if (entry.type == 2) {
      put_u32(note, static_cast<std::uint32_t>(entry.value.size()));
      if (entry.value.size() <= 4) {
        note += entry.value;
        note.append(4 - entry.value.size(), '\0');
      } else {
        put_u32(note, static_cast<std::uint32_t>(data_at + data.size()));
        data += entry.value;
      }
    } else {
      put_u32(note, 1);
      note += entry.value;
    }
  }
  put_u32(note, 0);
  return note + data;
}

} // namespace ipd::test

namespace ipd::test {

namespace {

std::uint64_t get_be(const std::string& d, std::size_t at, unsigned bytes) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) {
    v = v << 8 | static_cast<std::uint8_t>(d.at(at + i));
  }
  return v;
}

void put_be(std::string& d, std::size_t at, unsigned bytes, std::uint64_t v) {
  for (unsigned i = 0; i < bytes; ++i) {
    d.at(at + bytes - 1 - i) = static_cast<char>((v >> (8 * i)) & 0xff);
  }
}

// The offset of the first child box of `type` between begin and end, or npos.
std::size_t find_box(const std::string& d, std::size_t begin, std::size_t end, const char* type) {
  for (std::size_t at = begin; at + 8 <= end;) {
    const std::uint64_t size = get_be(d, at, 4);
    if (d.compare(at + 4, 4, type) == 0) {
      return at;
    }
    if (size < 8) {
      break;
    }
    at += size;
  }
  return std::string::npos;
}

} // namespace

std::string heic_with_exif_first(const std::string& heic) {
  std::string d = heic;
  const std::size_t meta = find_box(d, 0, d.size(), "meta");
  const std::size_t mdat = find_box(d, 0, d.size(), "mdat");
  if (meta == std::string::npos || mdat == std::string::npos || mdat < meta) {
    throw std::runtime_error("heic_with_exif_first: no meta box before the mdat");
  }
  const std::size_t iloc = find_box(d, meta + 12, meta + get_be(d, meta, 4), "iloc");
  if (iloc == std::string::npos) {
    throw std::runtime_error("heic_with_exif_first: no iloc box");
  }
  const unsigned version = static_cast<std::uint8_t>(d[iloc + 8]);
  const unsigned offset_size = static_cast<std::uint8_t>(d[iloc + 12]) >> 4;
  const unsigned length_size = static_cast<std::uint8_t>(d[iloc + 12]) & 15;
  const unsigned base_size = static_cast<std::uint8_t>(d[iloc + 13]) >> 4;
  const unsigned index_size = version >= 1 ? static_cast<std::uint8_t>(d[iloc + 13]) & 15 : 0;
  std::size_t at = iloc + 14;
  const std::uint64_t items = get_be(d, at, version < 2 ? 2 : 4);
  at += version < 2 ? 2 : 4;
  struct Extent {
    std::size_t field;      // where its offset is written
    std::size_t base_field; // where its item's base offset is written
    std::uint64_t offset;   // in the file: base + the offset written
    std::uint64_t length;
  };
  std::vector<Extent> extents;
  for (std::uint64_t i = 0; i < items; ++i) {
    at += version < 2 ? 2 : 4; // item_ID
    if (version >= 1) {
      if ((get_be(d, at, 2) & 15) != 0) {
        throw std::runtime_error("heic_with_exif_first: an item not in the mdat");
      }
      at += 2; // construction_method
    }
    at += 2; // data_reference_index
    const std::size_t base_field = at;
    const std::uint64_t base = get_be(d, at, base_size);
    at += base_size;
    const std::uint64_t count = get_be(d, at, 2);
    at += 2;
    for (std::uint64_t e = 0; e < count; ++e) {
      at += index_size;
      extents.push_back(
          {at, base_field, base + get_be(d, at, offset_size), get_be(d, at + offset_size, length_size)});
      at += offset_size + length_size;
    }
  }
  // The Exif item: a 4-byte offset, then "Exif\0\0" or straight away a TIFF header.
  const auto exif = std::find_if(extents.begin(), extents.end(), [&](const Extent& x) {
    return x.length > 10 && (d.compare(x.offset + 4, 4, "Exif") == 0 ||
                             d.compare(x.offset + 4, 4, std::string("MM\0*", 4)) == 0 ||
                             d.compare(x.offset + 4, 4, std::string("II*\0", 4)) == 0);
  });
  if (exif == extents.end() || offset_size == 0) {
    throw std::runtime_error("heic_with_exif_first: no Exif extent");
  }
  std::sort(extents.begin(), extents.end(),
            [](const Extent& x, const Extent& y) { return x.offset < y.offset; });
  const Extent first = *std::find_if(extents.begin(), extents.end(),
                                     [&](const Extent& x) { return x.offset == exif->offset; });
  std::string data = heic.substr(first.offset, first.length);
  std::uint64_t next = extents.front().offset + first.length;
  for (const Extent& x : extents) {
    // Each extent's new place in the file, as its offset from a base of 0.
    put_be(d, x.base_field, base_size, 0);
    if (x.offset == first.offset) {
      put_be(d, x.field, offset_size, extents.front().offset);
    } else {
      data += heic.substr(x.offset, x.length);
      put_be(d, x.field, offset_size, next);
      next += x.length;
    }
  }
  d.replace(extents.front().offset, data.size(), data);
  return d;
}

} // namespace ipd::test
