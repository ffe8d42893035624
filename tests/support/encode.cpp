#include "encode.hpp"

#include <libheif/heif.h>
#include <libheif/heif_properties.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace ipd::test {
namespace {

void check(heif_error error, const char* what) {
  if (error.code != heif_error_Ok) {
    throw std::runtime_error(std::string(what) + ": " + error.message);
  }
}

heif_error append_to_string(heif_context*, const void* data, size_t size, void* userdata) {
  static_cast<std::string*>(userdata)->append(static_cast<const char*>(data), size);
  return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
}

using Context = std::unique_ptr<heif_context, decltype(&heif_context_free)>;
using Encoder = std::unique_ptr<heif_encoder, decltype(&heif_encoder_release)>;
using Handle = std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)>;
using Image = std::unique_ptr<heif_image, decltype(&heif_image_release)>;

// An interleaved 8-bit RGB heif_image of the `width`×`height` window at (x, y) of `rgb` (of
// `row_width` pixels a row); pixels outside the picture repeat its last column and row.
Image rgb_image(const std::uint8_t* rgb, int row_width, int rows, int x, int y, int width, int height) {
  heif_image* raw = nullptr;
  check(heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &raw),
        "heif_image_create");
  Image image(raw, heif_image_release);
  check(heif_image_add_plane(raw, heif_channel_interleaved, width, height, 8), "heif_image_add_plane");
  int stride = 0;
  std::uint8_t* plane = heif_image_get_plane(raw, heif_channel_interleaved, &stride);
  const int inside = std::max(0, std::min(width, row_width - x));
  for (int row = 0; row < height; ++row) {
    const int from_row = std::min(y + row, rows - 1);
    const std::uint8_t* from = rgb + (static_cast<std::size_t>(from_row) * row_width + x) * 3;
    std::uint8_t* to = plane + static_cast<std::ptrdiff_t>(row) * stride;
    std::copy_n(from, static_cast<std::size_t>(inside) * 3, to);
    for (int column = inside; column < width; ++column) {
      std::copy_n(to + (inside - 1) * 3, 3, to + column * 3);
    }
  }
  return image;
}

Encoder hevc_encoder(heif_context* context, bool fastest, int quality = 80) {
  heif_encoder* raw = nullptr;
  check(heif_context_get_encoder_for_format(context, heif_compression_HEVC, &raw), "no HEVC encoder");
  Encoder encoder(raw, heif_encoder_release);
  check(heif_encoder_set_lossy_quality(raw, quality), "heif_encoder_set_lossy_quality");
  if (fastest) {
    // The library's HEIC count, not the encoder's search, is what matters; one thread per
    // encoder (the generator runs encoders side by side), no pool start-up.
    heif_encoder_set_parameter(raw, "preset", "ultrafast");
    heif_encoder_set_parameter(raw, "x265:pools", "none");
    heif_encoder_set_parameter(raw, "x265:frame-threads", "1");
  }
  return encoder;
}

// Adds the EXIF and XMP to `image` and returns the bytes of the whole file.
std::string finish_heic(heif_context* context, heif_image_handle* image, const Exiv2::ExifData& exif,
                        const Exiv2::XmpData& xmp) {
  std::string tiff;
  std::string packet;
  {
    std::lock_guard lock(exiv2_mutex());
    if (!exif.empty()) {
      Exiv2::Blob blob;
      Exiv2::ExifParser::encode(blob, Exiv2::bigEndian, exif);
      tiff.assign(blob.begin(), blob.end());
    }
    if (!xmp.empty()) {
      Exiv2::XmpParser::encode(packet, xmp);
    }
  }
  if (!tiff.empty()) {
    check(heif_context_add_exif_metadata(context, image, tiff.data(), static_cast<int>(tiff.size())),
          "heif_context_add_exif_metadata");
  }
  if (!packet.empty()) {
    check(heif_context_add_XMP_metadata(context, image, packet.data(), static_cast<int>(packet.size())),
          "heif_context_add_XMP_metadata");
  }
  std::string heic;
  heif_writer writer{};
  writer.writer_api_version = 1;
  writer.write = append_to_string;
  check(heif_context_write(context, &writer, &heic), "heif_context_write");
  return heic;
}

// The irot and imir of EXIF `orientation` on `item`, as libheif's encode_image writes them for a
// single image: the rotation (counter-clockwise quarters; EXIF 6 is shown turned a quarter
// clockwise), then the mirror (axis 1: left-right, as libheif reads it), the order MIAF asks.
void add_orientation(heif_context* context, heif_item_id item, int orientation) {
  int quarters = 0;
  int axis = -1;
  switch (orientation) {
  case 2: axis = 1; break;
  case 3: quarters = 2; break;
  case 4: axis = 0; break;
  case 5:
    quarters = 3;
    axis = 1;
    break;
  case 6: quarters = 3; break;
  case 7:
    quarters = 3;
    axis = 0;
    break;
  case 8: quarters = 1; break;
  default: break;
  }
  if (quarters != 0) {
    const auto angle = static_cast<std::uint8_t>(quarters);
    check(heif_item_add_raw_property(context, item, heif_fourcc('i', 'r', 'o', 't'), nullptr, &angle, 1, 1,
                                     nullptr),
          "irot");
  }
  if (axis >= 0) {
    const auto mirror = static_cast<std::uint8_t>(axis);
    check(heif_item_add_raw_property(context, item, heif_fourcc('i', 'm', 'i', 'r'), nullptr, &mirror, 1, 1,
                                     nullptr),
          "imir");
  }
}

} // namespace

void init_media_libraries() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (vips_init("ipd-tests") != 0) {
      throw std::runtime_error("vips_init failed");
    }
    vips_cache_set_max(0);
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();
    heif_init(nullptr);
  });
}

std::mutex& exiv2_mutex() {
  static std::mutex mutex;
  return mutex;
}

vips::VImage in_memory_without_profile(const vips::VImage& image) {
  vips::VImage copy = image.copy_memory();
  copy.remove(VIPS_META_ICC_NAME);
  return copy;
}

std::string blob_bytes(VipsBlob* blob) {
  VipsArea* area = VIPS_AREA(blob);
  std::string bytes(static_cast<const char*>(area->data), area->length);
  vips_area_unref(area);
  return bytes;
}

std::string exiv2_bytes(Exiv2::Image& file) {
  Exiv2::BasicIo& io = file.io();
  io.open();
  io.seek(0, Exiv2::BasicIo::beg);
  const Exiv2::DataBuf buffer = io.read(static_cast<long>(io.size()));
  io.close();
  return std::string(reinterpret_cast<const char*>(buffer.pData_), static_cast<std::size_t>(buffer.size_));
}

std::string with_metadata(const std::string& image, const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp) {
  if (exif.empty() && xmp.empty()) {
    return image;
  }
  std::lock_guard lock(exiv2_mutex());
  auto file = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(image.data()),
                                        static_cast<long>(image.size()));
  file->readMetadata();
  file->setExifData(exif);
  file->setXmpData(xmp);
  file->writeMetadata();
  return exiv2_bytes(*file);
}

std::string encode_heic(const std::uint8_t* rgb, int width, int height, int orientation,
                        const Exiv2::ExifData& exif, const Exiv2::XmpData& xmp, bool fastest) {
  init_media_libraries();
  Context context(heif_context_alloc(), heif_context_free);
  const Image image = rgb_image(rgb, width, height, 0, 0, width, height);
  const Encoder encoder = hevc_encoder(context.get(), fastest);
  std::unique_ptr<heif_encoding_options, decltype(&heif_encoding_options_free)> options(
      heif_encoding_options_alloc(), heif_encoding_options_free);
  if (orientation >= 1 && orientation <= 8) {
    options->image_orientation = static_cast<heif_orientation>(orientation);
  }
  heif_image_handle* raw_handle = nullptr;
  check(heif_context_encode_image(context.get(), image.get(), encoder.get(), options.get(), &raw_handle),
        "heif_context_encode_image");
  const Handle handle(raw_handle, heif_image_handle_release);
  return finish_heic(context.get(), raw_handle, exif, xmp);
}

std::string encode_heic_grid(const std::uint8_t* rgb, int width, int height, int tile_width, int tile_height,
                             int orientation, const Exiv2::ExifData& exif, bool fastest) {
  init_media_libraries();
  if (orientation < 1 || orientation > 8) {
    throw std::invalid_argument("encode_heic_grid: orientation " + std::to_string(orientation));
  }
  Context context(heif_context_alloc(), heif_context_free);
  // Quality 50: x265 keeps a sensor's grain at 80, which makes files twice an iPhone's size.
  const Encoder encoder = hevc_encoder(context.get(), fastest, 50);
  const int columns = (width + tile_width - 1) / tile_width;
  const int rows = (height + tile_height - 1) / tile_height;
  // The tiles are encoded with the grid's options: no orientation, which is the grid's own.
  std::unique_ptr<heif_encoding_options, decltype(&heif_encoding_options_free)> options(
      heif_encoding_options_alloc(), heif_encoding_options_free);
  heif_image_handle* raw_grid = nullptr;
  check(heif_context_add_grid_image(context.get(), static_cast<std::uint32_t>(width),
                                    static_cast<std::uint32_t>(height), static_cast<std::uint32_t>(columns),
                                    static_cast<std::uint32_t>(rows), options.get(), &raw_grid),
        "heif_context_add_grid_image");
  const Handle grid(raw_grid, heif_image_handle_release);
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      const Image tile =
          rgb_image(rgb, width, height, column * tile_width, row * tile_height, tile_width, tile_height);
      check(heif_context_add_image_tile(context.get(), raw_grid, static_cast<std::uint32_t>(column),
                                        static_cast<std::uint32_t>(row), tile.get(), encoder.get()),
            "heif_context_add_image_tile");
    }
  }
  check(heif_context_set_primary_image(context.get(), raw_grid), "heif_context_set_primary_image");
  // The grid item carries the turn (tiles are stored as the sensor saw them), as on an iPhone.
  add_orientation(context.get(), heif_image_handle_get_item_id(raw_grid), orientation);
  return finish_heic(context.get(), raw_grid, exif, {});
}

} // namespace ipd::test
