#include "index/pixels/vips_decode.hpp"

#include "index/core/text.hpp"

#include <exception>
#include <vector>

namespace ipd::vips_decode {
namespace {

// The libvips error buffer (shared by all threads) taken and cleared, trimmed to its first line;
// `fallback` when it is empty. Escaped (display_text): a loader's message may quote the file.
std::string take_vips_error(std::string_view fallback) {
  char* raw = vips_error_buffer_copy();
  std::string text = raw ? raw : "";
  g_free(raw);
  if (const auto newline = text.find('\n'); newline != std::string::npos) {
    text.resize(newline);
  }
  if (text.empty()) {
    return display_text(fallback);
  }
  return display_text(text);
}

int orientation_of(const vips::VImage& image) {
  if (vips_image_get_typeof(image.get_image(), VIPS_META_ORIENTATION) == 0) {
    return 1;
  }
  const int orientation = image.get_int(VIPS_META_ORIENTATION);
  return orientation >= 1 && orientation <= 8 ? orientation : 1;
}

vips::VImage load_heif(const BorrowedBlob& blob, bool thumbnail) {
  return vips::VImage::heifload_buffer(blob.blob, vips::VImage::option()
                                                      ->set("thumbnail", thumbnail)
                                                      ->set("access", VIPS_ACCESS_SEQUENTIAL)
                                                      ->set("fail_on", VIPS_FAIL_ON_TRUNCATED));
}

} // namespace

bool is_heif(Format format) { return format == Format::heic || format == Format::avif; }

bool is_movie_or_sidecar(Format format) {
  const Kind kind = kind_of(format);
  return kind == Kind::movie || kind == Kind::sidecar;
}

std::string refusal(Format format, std::string_view what) {
  if (is_raw(format)) {
    return std::string(what) + ": RAW images (" + std::string(format_name(format)) + ") are not decoded";
  }
  return std::string(what) + ": not a still image (" + std::string(format_name(format)) + ")";
}

std::string decode_failure() {
  try {
    throw;
  } catch (const vips::VError& e) {
    return "cannot decode image: " + take_vips_error(e.what());
  } catch (const std::exception& e) {
    return "cannot decode image: " + display_text(e.what());
  } catch (...) {
    return "cannot decode image";
  }
}

bool swaps_sides(int orientation) { return orientation >= 5 && orientation <= 8; }

Decoded decode(const BorrowedBlob& blob, std::span<const std::uint8_t> data, Format format,
               ShrinkRule jpeg_shrink, bool heif_thumbnail) {
  Decoded out;
  if (is_heif(format)) {
    // libheif applies the HEIF transformations (irot/imir) itself and vips drops the EXIF
    // orientation, so the pixels come upright.
    out.image = load_heif(blob, false);
    out.orientation = orientation_of(out.image);
    out.full_width = out.image.width();
    out.full_height = out.image.height();
    if (heif_thumbnail) {
      out.image = load_heif(blob, true);
      out.full_width = out.image.width();
      out.full_height = out.image.height();
      out.orientation = orientation_of(out.image);
    }
    return out;
  }
  if (format == Format::jpeg) {
    const vips::VImage header = vips::VImage::jpegload_buffer(
        blob.blob, vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
    out.orientation = orientation_of(header);
    out.full_width = header.width();
    out.full_height = header.height();
    const int shrink = jpeg_shrink ? jpeg_shrink(header.width(), header.height()) : 1;
    out.step = shrink;
    out.image = vips::VImage::jpegload_buffer(blob.blob, vips::VImage::option()
                                                             ->set("shrink", shrink)
                                                             ->set("access", VIPS_ACCESS_SEQUENTIAL)
                                                             ->set("fail_on", VIPS_FAIL_ON_TRUNCATED));
    return out;
  }
  out.image = vips::VImage::new_from_buffer(
      data.data(), data.size(), "",
      vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL)->set("fail_on", VIPS_FAIL_ON_TRUNCATED));
  out.orientation = orientation_of(out.image);
  out.full_width = out.image.width();
  out.full_height = out.image.height();
  return out;
}

vips::VImage to_srgb8(vips::VImage image) {
  if (image.has_alpha()) {
    image = image.flatten(vips::VImage::option()->set("background", std::vector<double>{255.0}));
  }
  if (image.interpretation() == VIPS_INTERPRETATION_sRGB && image.format() == VIPS_FORMAT_UCHAR &&
      image.bands() == 3) {
    return image;
  }
  if (vips_colourspace_issupported(image.get_image())) {
    image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  if (image.bands() > 3) {
    image = image.extract_band(0, vips::VImage::option()->set("n", 3));
  } else if (image.bands() == 2) {
    image = image.extract_band(0);
  }
  if (image.bands() == 1) {
    image = vips::VImage::bandjoin(std::vector<vips::VImage>{image, image, image});
  }
  if (image.format() != VIPS_FORMAT_UCHAR) {
    image = image.cast(VIPS_FORMAT_UCHAR);
  }
  return image.copy(vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

} // namespace ipd::vips_decode
