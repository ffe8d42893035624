#include "encode.hpp"

#include <libheif/heif.h>

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
  std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                      heif_context_free);
  heif_image* raw_image = nullptr;
  check(heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &raw_image),
        "heif_image_create");
  std::unique_ptr<heif_image, decltype(&heif_image_release)> image(raw_image, heif_image_release);
  check(heif_image_add_plane(raw_image, heif_channel_interleaved, width, height, 8), "heif_image_add_plane");
  int stride = 0;
  std::uint8_t* plane = heif_image_get_plane(raw_image, heif_channel_interleaved, &stride);
  const auto row_bytes = static_cast<std::size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    std::copy_n(rgb + static_cast<std::size_t>(y) * row_bytes, row_bytes,
                plane + static_cast<std::ptrdiff_t>(y) * stride);
  }
  heif_encoder* raw_encoder = nullptr;
  check(heif_context_get_encoder_for_format(context.get(), heif_compression_HEVC, &raw_encoder),
        "no HEVC encoder");
  std::unique_ptr<heif_encoder, decltype(&heif_encoder_release)> encoder(raw_encoder, heif_encoder_release);
  check(heif_encoder_set_lossy_quality(raw_encoder, 80), "heif_encoder_set_lossy_quality");
  if (fastest) {
    // The library's HEIC count, not the encoder's search, is what matters; one thread per
    // encoder (the generator runs encoders side by side), no pool start-up.
    heif_encoder_set_parameter(raw_encoder, "preset", "ultrafast");
    heif_encoder_set_parameter(raw_encoder, "x265:pools", "none");
    heif_encoder_set_parameter(raw_encoder, "x265:frame-threads", "1");
  }
  std::unique_ptr<heif_encoding_options, decltype(&heif_encoding_options_free)> options(
      heif_encoding_options_alloc(), heif_encoding_options_free);
  if (orientation >= 1 && orientation <= 8) {
    options->image_orientation = static_cast<heif_orientation>(orientation);
  }
  heif_image_handle* raw_handle = nullptr;
  check(heif_context_encode_image(context.get(), raw_image, raw_encoder, options.get(), &raw_handle),
        "heif_context_encode_image");
  std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)> handle(raw_handle,
                                                                                  heif_image_handle_release);
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
    check(
        heif_context_add_exif_metadata(context.get(), raw_handle, tiff.data(), static_cast<int>(tiff.size())),
        "heif_context_add_exif_metadata");
  }
  if (!packet.empty()) {
    check(heif_context_add_XMP_metadata(context.get(), raw_handle, packet.data(),
                                        static_cast<int>(packet.size())),
          "heif_context_add_XMP_metadata");
  }
  std::string heic;
  heif_writer writer{};
  writer.writer_api_version = 1;
  writer.write = append_to_string;
  check(heif_context_write(context.get(), &writer, &heic), "heif_context_write");
  return heic;
}

} // namespace ipd::test
