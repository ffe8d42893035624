// The JPEG path of a sample. A baseline JPEG whose restart markers fall every k MCU rows (an
// iPhone's: every row, DRI = MCUs per row) is cut into its restart intervals, and a smaller JPEG
// is put together from the intervals that cover the regions — the same headers with the height
// of the kept rows, the intervals with their markers renumbered — so libjpeg decodes (and
// Huffman-decodes) only those rows:
//
//   SOI … SOF(h) … SOS │ int 0 │RST0│ int 1 │RST1│ … │ int 40 │RST0│ … │ int 188 │ EOI
//   SOI … SOF(h')… SOS │ int 12 │RST0│ … │ int 37 │RST1│ int 140 │ … │ int 165 │ EOI
//
// Any other sequential or progressive JPEG is decoded with the rows between the regions skipped
// (libjpeg still reads their bits) and stops after the last region. Either way only the columns
// around the regions are decoded (jpeg_crop_scanline), with DCT scaling (jpeg_scale_denom), and
// any libjpeg warning sends the file to the full decode.
#include "index/pixels/sample_layout.hpp"
#include "index/pixels/sample_paths.hpp"

// clang-format off
#include <cstdio> // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
// clang-format on

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstring>
#include <string>
#include <vector>

namespace ipd::sample_paths {

#if IPD_HAVE_JPEG_ROWS

namespace {

// libjpeg's errors jump back to the decoding function; warnings are counted (a clean decode has
// none) and the first kept.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  int warnings;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* errors = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (level < 0 && errors->warnings++ == 0) {
    (*cinfo->err->format_message)(cinfo, errors->message);
  }
}

void install(jpeg_decompress_struct& cinfo, ErrorManager& errors) {
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_error;
  errors.base.emit_message = on_message;
  errors.warnings = 0;
  errors.message[0] = '\0';
}

// EXIF orientation (IFD0 tag 0x0112) of an APP1 payload; 1 when it has none.
int exif_orientation(const std::uint8_t* p, std::size_t n) {
  if (n < 14 || std::memcmp(p, "Exif\0\0", 6) != 0) {
    return 1;
  }
  p += 6;
  n -= 6;
  const bool little = p[0] == 'I' && p[1] == 'I';
  if (!little && !(p[0] == 'M' && p[1] == 'M')) {
    return 1;
  }
  auto u16 = [&](std::size_t at) -> unsigned {
    return little ? p[at] | (p[at + 1] << 8) : (p[at] << 8) | p[at + 1];
  };
  auto u32 = [&](std::size_t at) -> std::size_t {
    return little ? u16(at) | (std::size_t{u16(at + 2)} << 16) : (std::size_t{u16(at)} << 16) | u16(at + 2);
  };
  if (u16(2) != 42) {
    return 1;
  }
  const std::size_t ifd = u32(4);
  if (ifd > n - 2) {
    return 1;
  }
  const unsigned count = u16(ifd);
  for (unsigned i = 0; i < count; ++i) {
    const std::size_t entry = ifd + 2 + 12 * std::size_t{i};
    if (entry > n - 12) {
      break;
    }
    if (u16(entry) == 0x0112 && u16(entry + 2) == 3) {
      const unsigned value = u16(entry + 8);
      return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
  }
  return 1;
}

// What the headers say, read by libjpeg up to the first scan.
struct Header {
  int width = 0;
  int height = 0;
  int components = 0;
  J_COLOR_SPACE color_space = JCS_UNKNOWN;
  bool progressive = false;
  bool arithmetic = false;
  unsigned restart_interval = 0; // MCUs; 0 = no restart markers
  int max_h = 1;                 // largest sampling factors
  int max_v = 1;
  int comps_in_scan = 0;
  std::size_t entropy_start = 0; // first byte after the first SOS
  int orientation = 1;
};

bool read_header(std::span<const std::uint8_t> data, Header& out, SampleReport& report) {
  jpeg_decompress_struct cinfo;
  ErrorManager errors;
  install(cinfo, errors);
  jpeg_create_decompress(&cinfo);
  if (setjmp(errors.jump)) {
    report.fallback = std::string("libjpeg: ") + errors.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_mem_src(&cinfo, data.data(), static_cast<unsigned long>(data.size()));
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xffff);
  jpeg_read_header(&cinfo, TRUE);
  out.width = static_cast<int>(cinfo.image_width);
  out.height = static_cast<int>(cinfo.image_height);
  out.components = cinfo.num_components;
  out.color_space = cinfo.jpeg_color_space;
  out.progressive = cinfo.progressive_mode;
  out.arithmetic = cinfo.arith_code;
  out.restart_interval = cinfo.restart_interval;
  out.max_h = cinfo.max_h_samp_factor;
  out.max_v = cinfo.max_v_samp_factor;
  out.comps_in_scan = cinfo.comps_in_scan;
  out.entropy_start = static_cast<std::size_t>(cinfo.src->next_input_byte - data.data());
  for (jpeg_saved_marker_ptr marker = cinfo.marker_list; marker; marker = marker->next) {
    if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 &&
        std::memcmp(marker->data, "Exif\0\0", 6) == 0) {
      out.orientation = exif_orientation(marker->data, marker->data_length);
      break;
    }
  }
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// Decoded rows [first, end) of the JPEG being decoded are the picture's decoded rows + offset.
struct Band {
  int first;
  int end;
  int offset;
};

// What to decode: the DCT scaling, the columns (decoded) and the bands of rows, in order.
struct Plan {
  int denom = 1;
  int left = 0;
  int width = 0;
  std::vector<Band> bands;
};

// Decodes the planned rows of `data` to RGB into `builder`. False, with the reason in
// report.fallback, on an error or any warning.
bool decode(std::span<const std::uint8_t> data, const Plan& plan, sampling::SampleBuilder& builder,
            SampleReport& report) {
  jpeg_decompress_struct cinfo;
  ErrorManager errors;
  install(cinfo, errors);
  jpeg_create_decompress(&cinfo);
  if (setjmp(errors.jump)) {
    report.fallback = std::string("libjpeg: ") + errors.message;
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_mem_src(&cinfo, data.data(), static_cast<unsigned long>(data.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = static_cast<unsigned>(plan.denom);
  jpeg_start_decompress(&cinfo);
  JDIMENSION left = static_cast<JDIMENSION>(plan.left);
  JDIMENSION width = std::min(static_cast<JDIMENSION>(plan.width), cinfo.output_width - left);
  if (width < cinfo.output_width) {
    jpeg_crop_scanline(&cinfo, &left, &width);
  }
  JSAMPARRAY row =
      (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                 cinfo.output_width * static_cast<JDIMENSION>(cinfo.output_components), 1);
  for (const Band& band : plan.bands) {
    const auto first = static_cast<JDIMENSION>(band.first);
    const auto end = std::min(static_cast<JDIMENSION>(band.end), cinfo.output_height);
    if (cinfo.output_scanline < first) {
      jpeg_skip_scanlines(&cinfo, first - cinfo.output_scanline);
    }
    while (cinfo.output_scanline < end && errors.warnings == 0) {
      const auto y = static_cast<int>(cinfo.output_scanline);
      if (jpeg_read_scanlines(&cinfo, row, 1) != 1) {
        break;
      }
      builder.add(static_cast<int>(left), y + band.offset, static_cast<int>(width), 1, row[0],
                  static_cast<std::ptrdiff_t>(width) * 3, 3);
    }
  }
  const bool clean = errors.warnings == 0;
  if (!clean) {
    report.fallback = std::string("libjpeg: ") + errors.message;
  }
  jpeg_destroy_decompress(&cinfo);
  return clean;
}

// The picture's decoded rows the regions need, merged, in order; `margin` more on each side.
std::vector<Band> needed_rows(const std::array<sampling::Box, k_sample_regions>& regions, double unit,
                              int margin, int limit) {
  std::vector<Band> bands;
  for (const sampling::Box& box : regions) {
    const int first = std::max(0, static_cast<int>(std::floor(box.y0 / unit)) - margin);
    const int end = std::min(limit, static_cast<int>(std::ceil(box.y1 / unit)) + margin);
    if (first < end) {
      bands.push_back({first, end, 0});
    }
  }
  std::sort(bands.begin(), bands.end(), [](const Band& a, const Band& b) { return a.first < b.first; });
  std::vector<Band> merged;
  for (const Band& band : bands) {
    if (!merged.empty() && band.first <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, band.end);
    } else {
      merged.push_back(band);
    }
  }
  return merged;
}

// The offset of the first SOFn marker of the headers, or 0.
std::size_t sof_offset(std::span<const std::uint8_t> data, std::size_t end) {
  std::size_t at = 2;
  while (at + 4 <= end && data[at] == 0xff) {
    while (at + 1 < end && data[at + 1] == 0xff) {
      ++at;
    }
    const std::uint8_t marker = data[at + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
      return at;
    }
    if (marker == 0xda) {
      return 0;
    }
    at += 2 + ((std::size_t{data[at + 2]} << 8) | data[at + 3]);
  }
  return 0;
}

// The byte ranges of restart intervals 0..count-1 of the scan starting at `start`; fewer when the
// scan ends first. False when a restart marker is out of order.
bool restart_intervals(std::span<const std::uint8_t> data, std::size_t start, std::size_t count,
                       std::vector<std::pair<std::size_t, std::size_t>>& out) {
  std::size_t begin = start;
  std::size_t at = start;
  while (out.size() < count) {
    const void* found = at < data.size() ? std::memchr(data.data() + at, 0xff, data.size() - at) : nullptr;
    if (!found) {
      out.emplace_back(begin, data.size());
      return true;
    }
    const auto marker = static_cast<std::size_t>(static_cast<const std::uint8_t*>(found) - data.data());
    std::size_t next = marker + 1;
    while (next < data.size() && data[next] == 0xff) {
      ++next;
    }
    if (next >= data.size()) {
      out.emplace_back(begin, marker);
      return true;
    }
    const std::uint8_t code = data[next];
    if (code == 0x00) {
      at = next + 1;
      continue;
    }
    out.emplace_back(begin, marker);
    if (code < 0xd0 || code > 0xd7) {
      return true; // the end of the scan
    }
    if (code - 0xd0u != (out.size() - 1) % 8) {
      return false;
    }
    begin = at = next + 1;
  }
  return true;
}

// The JPEG made of the headers (height `height`) and the given intervals, markers renumbered.
std::string joined_intervals(std::span<const std::uint8_t> data, const Header& header, std::size_t sof,
                             const std::vector<std::pair<std::size_t, std::size_t>>& intervals,
                             const std::vector<int>& kept, int height) {
  std::size_t size = header.entropy_start + 2 * kept.size() + 2;
  for (const int j : kept) {
    size += intervals[static_cast<std::size_t>(j)].second - intervals[static_cast<std::size_t>(j)].first;
  }
  std::string out;
  out.reserve(size);
  out.append(reinterpret_cast<const char*>(data.data()), header.entropy_start);
  out[sof + 5] = static_cast<char>((height >> 8) & 0xff);
  out[sof + 6] = static_cast<char>(height & 0xff);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const auto& [begin, end] = intervals[static_cast<std::size_t>(kept[i])];
    out.append(reinterpret_cast<const char*>(data.data() + begin), end - begin);
    out.push_back(static_cast<char>(0xff));
    out.push_back(static_cast<char>(i + 1 < kept.size() ? 0xd0 + i % 8 : 0xd9));
  }
  return out;
}

// The restart-interval path; false (with report.fallback) when the file does not allow it.
bool decode_intervals(std::span<const std::uint8_t> data, const Header& header, Plan plan,
                      sampling::SampleBuilder& builder, SampleReport& report) {
  const bool interleaved = header.comps_in_scan == header.components && header.components == 3;
  const bool single = header.components == 1;
  if (header.progressive || header.arithmetic || header.restart_interval == 0 || !(interleaved || single)) {
    report.fallback = header.restart_interval == 0 ? "no restart markers" : "restart markers not usable";
    return false;
  }
  const int mcu_width = single ? 8 : 8 * header.max_h;
  const int mcu_height = single ? 8 : 8 * header.max_v;
  const auto mcus_per_row = static_cast<unsigned>((header.width + mcu_width - 1) / mcu_width);
  if (header.restart_interval % mcus_per_row != 0) {
    report.fallback = "restart interval is not whole MCU rows";
    return false;
  }
  const int interval_rows = static_cast<int>(header.restart_interval / mcus_per_row) * mcu_height;
  const int interval_count = (header.height + interval_rows - 1) / interval_rows;
  const std::size_t sof = sof_offset(data, header.entropy_start);
  if (sof == 0 || interval_rows % plan.denom != 0) {
    report.fallback = "restart intervals not addressable";
    return false;
  }
  // The intervals under the regions, one more on each side for chroma upsampling.
  std::vector<int> kept;
  for (const Band& band : needed_rows(builder.regions(), interval_rows, 1, interval_count)) {
    for (int j = band.first; j < band.end; ++j) {
      kept.push_back(j);
    }
  }
  std::vector<std::pair<std::size_t, std::size_t>> intervals;
  if (kept.empty() ||
      !restart_intervals(data, header.entropy_start, static_cast<std::size_t>(kept.back()) + 1, intervals) ||
      intervals.size() <= static_cast<std::size_t>(kept.back())) {
    report.fallback = "restart markers out of order or missing";
    return false;
  }
  // Stack the kept intervals; each run of consecutive ones is a band of the joined JPEG.
  int height = 0;
  plan.bands.clear();
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const int row = kept[i] * interval_rows;
    const int rows = std::min(interval_rows, header.height - row);
    if (i == 0 || kept[i] != kept[i - 1] + 1) {
      plan.bands.push_back({height / plan.denom, height / plan.denom, (row - height) / plan.denom});
    }
    height += rows;
    plan.bands.back().end = (height + plan.denom - 1) / plan.denom;
  }
  const std::string joined = joined_intervals(data, header, sof, intervals, kept, height);
  report.path = SamplePath::jpeg_rows;
  report.rows_decoded = static_cast<std::uint32_t>(height);
  return decode({reinterpret_cast<const std::uint8_t*>(joined.data()), joined.size()}, plan, builder, report);
}

} // namespace

bool jpeg_rows(std::span<const std::uint8_t> data, Sample& out, SampleReport& report) {
  Header header;
  if (!read_header(data, header, report)) {
    return false;
  }
  if (header.color_space != JCS_YCbCr && header.color_space != JCS_GRAYSCALE &&
      header.color_space != JCS_RGB) {
    report.fallback = "colour space not YCbCr, grey or RGB";
    return false;
  }
  if (header.width <= 0 || header.height <= 0) {
    report.fallback = "no pixels";
    return false;
  }
  const auto frame =
      sampling::Frame::whole(header.width, header.height, sampling::turn_of_orientation(header.orientation));
  Plan plan;
  plan.denom = sampling::jpeg_scale_denom(header.width, header.height);
  const double unit = plan.denom;
  const int decoded_width = (header.width + plan.denom - 1) / plan.denom;
  const int decoded_height = (header.height + plan.denom - 1) / plan.denom;
  report.rows_total = static_cast<std::uint32_t>(header.height);
  report.scale_denom = plan.denom;
  {
    sampling::SampleBuilder builder(frame, unit);
    double x0 = header.width;
    double x1 = 0;
    for (const sampling::Box& box : builder.regions()) {
      x0 = std::min(x0, box.x0);
      x1 = std::max(x1, box.x1);
    }
    plan.left = std::max(0, static_cast<int>(std::floor(x0 / unit)));
    plan.width = std::min(decoded_width, static_cast<int>(std::ceil(x1 / unit))) - plan.left;
    if (decode_intervals(data, header, plan, builder, report)) {
      builder.finish(out);
      return true;
    }
  }
  // Without usable restart markers: skip the other rows.
  const std::string why = report.fallback;
  sampling::SampleBuilder builder(frame, unit);
  plan.bands = needed_rows(builder.regions(), unit, 0, decoded_height);
  report.path = SamplePath::jpeg_skip;
  report.rows_decoded = 0;
  for (const Band& band : plan.bands) {
    report.rows_decoded +=
        static_cast<std::uint32_t>(std::min(header.height, band.end * plan.denom) - band.first * plan.denom);
  }
  if (!decode(data, plan, builder, report)) {
    report.path = SamplePath::full_decode;
    return false;
  }
  report.fallback = why;
  builder.finish(out);
  return true;
}

#else

bool jpeg_rows(std::span<const std::uint8_t>, Sample&, SampleReport& report) {
  report.fallback = "libjpeg without jpeg_crop_scanline and jpeg_skip_scanlines";
  return false;
}

#endif

} // namespace ipd::sample_paths
