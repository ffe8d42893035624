// compute_sample: the cheapest path the file allows (sample_paths.hpp), else the full decode
// through libvips with the regions taken from the streamed pixels.
#include "index/pixels/sample.hpp"
#include "index/pixels/sample_layout.hpp"
#include "index/pixels/sample_paths.hpp"
#include "index/pixels/vips_decode.hpp"

#include <vips/vips8>

#include <algorithm>

namespace ipd {
namespace {

using vips_decode::BorrowedBlob;

// Samples the picture decoded by libvips, streaming it in strips of rows: memory stays what
// libvips needs to decode in order.
bool sample_full_decode(std::span<const std::uint8_t> data, Format format, Sample& out, SampleReport& report,
                        std::string& error) {
  try {
    const BorrowedBlob blob(data);
    const vips_decode::Decoded decoded = vips_decode::decode(blob, data, format, sampling::jpeg_scale_denom);
    if (decoded.full_width <= 0 || decoded.full_height <= 0) {
      error = "sample: image has no pixels";
      return false;
    }
    const vips::VImage image = vips_decode::to_srgb8(decoded.image);
    const auto frame = sampling::Frame::whole(decoded.full_width, decoded.full_height,
                                              sampling::turn_of_orientation(decoded.orientation));
    sampling::SampleBuilder builder(frame, decoded.step);
    const vips::VRegion region = vips::VRegion::new_from_image(image);
    constexpr int k_strip = 16;
    for (int top = 0; top < image.height(); top += k_strip) {
      const int rows = std::min(k_strip, image.height() - top);
      region.prepare(0, top, image.width(), rows);
      builder.add(0, top, image.width(), rows, region.addr(0, top),
                  static_cast<std::ptrdiff_t>(region.stride()), 3);
    }
    Sample sample;
    builder.finish(sample);
    out = sample;
    report.path = SamplePath::full_decode;
    report.scale_denom = static_cast<int>(decoded.step);
    return true;
  } catch (...) {
    error = vips_decode::decode_failure();
  }
  return false;
}

} // namespace

bool compute_sample_from(std::span<const std::uint8_t> data, Format format, SampleSource source, Sample& out,
                         SampleReport& report, std::string& error) {
  init_fingerprints();
  report = SampleReport{};
  if (is_raw(format) || vips_decode::is_movie_or_sidecar(format)) {
    error = vips_decode::refusal(format, "sample");
    return false;
  }
  if (data.empty()) {
    error = "sample: empty file";
    return false;
  }
  if (source == SampleSource::automatic) {
    if (vips_decode::is_heif(format) && sample_paths::heif_tiles(data, out, report)) {
      return true;
    }
    if (format == Format::jpeg && sample_paths::jpeg_rows(data, out, report)) {
      return true;
    }
  }
  return sample_full_decode(data, format, out, report, error);
}

bool compute_sample(std::span<const std::uint8_t> data, Format format, Sample& out, std::string& error) {
  SampleReport report;
  return compute_sample_from(data, format, SampleSource::automatic, out, report, error);
}

} // namespace ipd
