#include "index/pixels/fingerprint.hpp"
#include "index/pixels/vips_decode.hpp"

#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

namespace ipd {
namespace {

using vips_decode::BorrowedBlob;
using vips_decode::decode_failure;
using vips_decode::Decoded;
using vips_decode::to_srgb8;

// JPEG shrink-on-load (1/2, 1/4, 1/8 in the DCT domain: exact 8×8 block means at 1/8) keeps at
// least this many pixels on the short side, so each fingerprint cell still averages ≥ 16 of them.
constexpr int k_min_shrunk_side = 128;

void drop_log(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

int fingerprint_shrink(int width, int height) {
  const int short_side = std::min(width, height);
  for (const int candidate : {8, 4, 2}) {
    if (short_side / candidate >= k_min_shrunk_side) {
      return candidate;
    }
  }
  return 1;
}

int full_size(int, int) { return 1; }

Decoded decode(const BorrowedBlob& blob, std::span<const std::uint8_t> data, Format format,
               FingerprintSource source) {
  return vips_decode::decode(blob, data, format,
                             source == FingerprintSource::full ? full_size : fingerprint_shrink,
                             source == FingerprintSource::embedded_thumbnail);
}

// How one decoded column (or row) spreads over the fingerprint's cells: decoded pixel i covers
// [i·step, min((i+1)·step, full)) of the full image; cell j covers [j·full/32, (j+1)·full/32).
struct Share {
  int pixel;
  int cell;
  double weight; // full-image pixels of overlap
};

std::vector<Share> shares(int decoded, int full, double step) {
  std::vector<Share> out;
  const double cell_size = static_cast<double>(full) / k_fingerprint_side;
  for (int i = 0; i < decoded; ++i) {
    const double begin = i * step;
    const double end = std::min((i + 1) * step, static_cast<double>(full));
    if (end <= begin) {
      continue;
    }
    const int first = std::clamp(static_cast<int>(begin / cell_size), 0, k_fingerprint_side - 1);
    for (int cell = first; cell < k_fingerprint_side; ++cell) {
      const double cell_begin = cell * cell_size;
      const double cell_end = (cell + 1) * cell_size;
      if (cell_begin >= end) {
        break;
      }
      const double overlap = std::min(end, cell_end) - std::max(begin, cell_begin);
      if (overlap > 0) {
        out.push_back({i, cell, overlap});
      }
    }
  }
  return out;
}

// The stored (unturned) position that shows at (x, y) of the upright thumbnail.
std::size_t stored_index(int orientation, int x, int y) {
  constexpr int last = k_fingerprint_side - 1;
  int sx = x;
  int sy = y;
  switch (orientation) {
  case 2: sx = last - x; break;
  case 3:
    sx = last - x;
    sy = last - y;
    break;
  case 4: sy = last - y; break;
  case 5:
    sx = y;
    sy = x;
    break;
  case 6:
    sx = y;
    sy = last - x;
    break;
  case 7:
    sx = last - y;
    sy = last - x;
    break;
  case 8:
    sx = last - y;
    sy = x;
    break;
  default: break;
  }
  return static_cast<std::size_t>(sy) * k_fingerprint_side + static_cast<std::size_t>(sx);
}

// The 32×32 grey thumbnail of a decoded image: the exact area average of the full image over a
// 32×32 grid (so a shrink-on-load decode, a full decode and a downscaled copy all land on the
// same values), in Rec.601 luma of the 8-bit sRGB values, then turned upright. Averaging is
// symmetric, so turning after is exactly turning before, and far cheaper. Streams the pixels in
// strips of rows: memory stays small whatever the image size.
void grey32(const Decoded& decoded, Fingerprint& out) {
  const vips::VImage image = to_srgb8(decoded.image);
  const int width = image.width();
  const int height = image.height();
  const double step_x = decoded.full_width > 0 ? decoded.step : 1;
  const int full_width = decoded.full_width > 0 ? decoded.full_width : width;
  const int full_height = decoded.full_height > 0 ? decoded.full_height : height;
  const std::vector<Share> columns = shares(width, full_width, step_x);
  const std::vector<Share> rows = shares(height, full_height, step_x);
  std::array<double, k_fingerprint_side> column_weight{};
  std::array<double, k_fingerprint_side> row_weight{};
  for (const Share& share : columns) {
    column_weight[static_cast<std::size_t>(share.cell)] += share.weight;
  }
  for (const Share& share : rows) {
    row_weight[static_cast<std::size_t>(share.cell)] += share.weight;
  }
  std::vector<double> sums(k_fingerprint_pixels, 0.0); // luma·weight per cell
  std::array<double, k_fingerprint_side> row_sums{};
  const vips::VRegion region = vips::VRegion::new_from_image(image);
  constexpr int k_strip = 16;
  std::size_t next_row_share = 0;
  for (int top = 0; top < height; top += k_strip) {
    const int strip = std::min(k_strip, height - top);
    region.prepare(0, top, width, strip);
    for (int y = top; y < top + strip; ++y) {
      row_sums.fill(0.0);
      const VipsPel* line = region.addr(0, y);
      for (const Share& share : columns) {
        const VipsPel* pixel = line + static_cast<std::ptrdiff_t>(share.pixel) * 3;
        const double luma = 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2];
        row_sums[static_cast<std::size_t>(share.cell)] += luma * share.weight;
      }
      for (; next_row_share < rows.size() && rows[next_row_share].pixel == y; ++next_row_share) {
        const Share& share = rows[next_row_share];
        double* cells = &sums[static_cast<std::size_t>(share.cell) * k_fingerprint_side];
        for (std::size_t x = 0; x < k_fingerprint_side; ++x) {
          cells[x] += row_sums[x] * share.weight;
        }
      }
    }
  }
  for (int y = 0; y < k_fingerprint_side; ++y) {
    for (int x = 0; x < k_fingerprint_side; ++x) {
      const auto sy = static_cast<std::size_t>(stored_index(decoded.orientation, x, y) / k_fingerprint_side);
      const auto sx = static_cast<std::size_t>(stored_index(decoded.orientation, x, y) % k_fingerprint_side);
      const double area = column_weight[sx] * row_weight[sy];
      const double mean = area > 0 ? sums[sy * k_fingerprint_side + sx] / area : 0.0;
      out.grey[static_cast<std::size_t>(y) * k_fingerprint_side + static_cast<std::size_t>(x)] =
          static_cast<std::uint8_t>(std::clamp(std::lround(mean), 0L, 255L));
    }
  }
}

bool fingerprint_with_vips_thumbnail(const BorrowedBlob& blob, Fingerprint& out) {
  Decoded decoded;
  decoded.image = vips::VImage::thumbnail_buffer(
      blob.blob, k_fingerprint_side,
      vips::VImage::option()->set("height", k_fingerprint_side)->set("size", VIPS_SIZE_FORCE));
  grey32(decoded, out);
  return true;
}

// Decodes a whole image at full size, turned upright, in 8-bit sRGB.
vips::VImage decode_full(std::span<const std::uint8_t> data, Format format, const BorrowedBlob& blob) {
  const Decoded decoded = decode(blob, data, format, FingerprintSource::full);
  vips::VImage image = to_srgb8(decoded.image);
  if (decoded.orientation != 1) {
    // Turning needs random access: take the (sequentially read) pixels into memory first.
    image = image.copy_memory();
    image.set(VIPS_META_ORIENTATION, decoded.orientation);
    image = image.autorot();
  }
  return image;
}

} // namespace

void init_fingerprints() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (vips_init("iphone-photo-dedup") != 0) {
      vips_error_clear();
    }
    g_log_set_handler(
        "VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
        drop_log, nullptr);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
  });
}

bool compute_fingerprint_from(std::span<const std::uint8_t> data, Format format, FingerprintSource source,
                              Fingerprint& out, std::string& error) {
  init_fingerprints();
  if (is_raw(format) || vips_decode::is_movie_or_sidecar(format)) {
    error = vips_decode::refusal(format, "fingerprint");
    return false;
  }
  if (data.empty()) {
    error = "fingerprint: empty file";
    return false;
  }
  try {
    const BorrowedBlob blob(data);
    Fingerprint print;
    if (source == FingerprintSource::vips_thumbnail) {
      const Decoded header = decode(blob, data, format, FingerprintSource::full);
      print.aspect = static_cast<float>(header.shown_width()) / static_cast<float>(header.shown_height());
      fingerprint_with_vips_thumbnail(blob, print);
    } else {
      const Decoded decoded = decode(blob, data, format, source);
      if (decoded.shown_width() <= 0 || decoded.shown_height() <= 0) {
        error = "fingerprint: image has no pixels";
        return false;
      }
      print.aspect = static_cast<float>(decoded.shown_width()) / static_cast<float>(decoded.shown_height());
      grey32(decoded, print);
    }
    out = print;
    return true;
  } catch (...) {
    error = decode_failure();
  }
  return false;
}

bool compute_fingerprint(std::span<const std::uint8_t> data, Format format, Fingerprint& out,
                         std::string& error) {
  return compute_fingerprint_from(data, format, FingerprintSource::standard, out, error);
}

double full_compare_percent(std::span<const std::uint8_t> a, Format fa, std::span<const std::uint8_t> b,
                            Format fb, std::string& error) {
  init_fingerprints();
  for (const Format format : {fa, fb}) {
    if (is_raw(format) || vips_decode::is_movie_or_sidecar(format)) {
      error = vips_decode::refusal(format, "fingerprint");
      return -1;
    }
  }
  if (a.empty() || b.empty()) {
    error = "full compare: empty file";
    return -1;
  }
  try {
    const BorrowedBlob blob_a(a);
    const BorrowedBlob blob_b(b);
    vips::VImage image_a = decode_full(a, fa, blob_a);
    vips::VImage image_b = decode_full(b, fb, blob_b);
    // Resize the larger to the smaller's size (both sides, so a rounding difference in a
    // downscaled copy's size does not matter).
    const double area_a = static_cast<double>(image_a.width()) * image_a.height();
    const double area_b = static_cast<double>(image_b.width()) * image_b.height();
    vips::VImage& larger = area_a >= area_b ? image_a : image_b;
    const vips::VImage& smaller = area_a >= area_b ? image_b : image_a;
    if (larger.width() != smaller.width() || larger.height() != smaller.height()) {
      larger = larger.resize(
          static_cast<double>(smaller.width()) / larger.width(),
          vips::VImage::option()->set("vscale", static_cast<double>(smaller.height()) / larger.height()));
      // Pin the size exactly (resize can round a pixel off).
      if (larger.width() != smaller.width() || larger.height() != smaller.height()) {
        larger = larger.embed(0, 0, smaller.width(), smaller.height(),
                              vips::VImage::option()->set("extend", VIPS_EXTEND_COPY));
      }
    }
    const double mean = (image_a.cast(VIPS_FORMAT_SHORT) - image_b.cast(VIPS_FORMAT_SHORT)).abs().avg();
    return mean / 255.0 * 100.0;
  } catch (...) {
    error = decode_failure();
  }
  return -1;
}

std::string image_decoder_version(std::string& module, std::string& /*error*/) {
  module.clear();
  return vips_version_string();
}

} // namespace ipd
