#include "index/pixels/thumbnail.hpp"
#include "index/pixels/fingerprint.hpp"
#include "index/pixels/vips_decode.hpp"

#include <vips/vips8>

#include <cstdio> // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <vector>

namespace ipd {

namespace {

constexpr int k_thumbnail_quality = 80;

// JPEG shrink-on-load (1/2, 1/4, 1/8 in the DCT domain) that keeps the long side at least a
// preview's.
int preview_shrink(int width, int height) {
  const int long_side = std::max(width, height);
  for (const int candidate : {8, 4, 2}) {
    if (long_side / candidate >= k_thumbnail_side) {
      return candidate;
    }
  }
  return 1;
}

// The picture shrunk to fit in side×side, upright. A HEIC through libvips' thumbnail, which takes
// its embedded thumbnail when that is large enough (an iPhone's is 320×240: ~10 ms instead of
// 0.3–1 s for the whole picture), upright from libheif. The rest decoded as the fingerprints
// decode them (a file cut short fails), shrunk, then turned by their EXIF orientation.
vips::VImage shrunk(const vips_decode::BorrowedBlob& blob, std::span<const std::uint8_t> data, Format format,
                    int side) {
  if (vips_decode::is_heif(format)) {
    return vips::VImage::thumbnail_buffer(
        blob.blob, side, vips::VImage::option()->set("height", side)->set("size", VIPS_SIZE_DOWN));
  }
  const vips_decode::Decoded decoded = vips_decode::decode(blob, data, format, preview_shrink);
  vips::VImage image = decoded.image.thumbnail_image(
      side, vips::VImage::option()->set("height", side)->set("size", VIPS_SIZE_DOWN)->set("no_rotate", true));
  if (decoded.orientation != 1) {
    // Turning needs random access: the small picture is taken into memory first.
    image = image.copy_memory();
    image.set(VIPS_META_ORIENTATION, decoded.orientation);
    image = image.autorot();
  }
  return image;
}

// libjpeg's errors jump back to compress().
struct ErrorJump {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<ErrorJump*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

// `rows` (height pointers to width×3 bytes of sRGB) as a JPEG in a buffer of libjpeg's, which the
// caller frees; false with libjpeg's message in `errors`. Only plain data between the jump and
// its target.
bool compress(JSAMPROW* rows, int width, int height, unsigned char** out, unsigned long* size,
              ErrorJump& errors) {
  jpeg_compress_struct cinfo;
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error;
  errors.message[0] = '\0';
  if (setjmp(errors.jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, out, size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, k_thumbnail_quality, TRUE);
  cinfo.optimize_coding = TRUE;
  jpeg_start_compress(&cinfo, TRUE);
  jpeg_write_scanlines(&cinfo, rows, static_cast<JDIMENSION>(height));
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

// The preview (8-bit sRGB, 3 bands) as a JPEG without metadata. Its pixels are computed in this
// thread through a region, and compressed by libjpeg: a libvips save would run the pipeline on
// worker threads of its own, which outlive the call.
bool jpeg_bytes(const vips::VImage& image, std::string& jpeg, std::string& error) {
  const int width = image.width();
  const int height = image.height();
  const vips::VRegion region = vips::VRegion::new_from_image(image);
  region.prepare(0, 0, width, height);
  std::vector<JSAMPROW> rows(static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    rows[static_cast<std::size_t>(y)] = const_cast<JSAMPROW>(region.addr(0, y));
  }
  unsigned char* out = nullptr;
  unsigned long size = 0;
  ErrorJump errors;
  const bool ok = compress(rows.data(), width, height, &out, &size, errors);
  if (ok) {
    jpeg.assign(reinterpret_cast<const char*>(out), size);
  } else {
    error = std::string("preview: cannot write the JPEG: ") + errors.message;
  }
  std::free(out);
  return ok;
}

} // namespace

bool make_thumbnail(std::span<const std::uint8_t> data, Format format, int side, std::string& jpeg,
                    std::string& error) {
  init_fingerprints();
  if (is_raw(format) || vips_decode::is_movie_or_sidecar(format)) {
    error = vips_decode::refusal(format, "preview");
    return false;
  }
  if (data.empty()) {
    error = "preview: empty file";
    return false;
  }
  try {
    const vips_decode::BorrowedBlob blob(data);
    return jpeg_bytes(vips_decode::to_srgb8(shrunk(blob, data, format, side)), jpeg, error);
  } catch (...) {
    error = vips_decode::decode_failure();
    return false;
  }
}

} // namespace ipd
