// The HEIF grid path of a sample: the file's transformations (clap, irot, imir, in the order
// stored) turn the upright regions into stored rectangles, and only the grid tiles under them
// are decoded, as stored (libheif's transformations off), each to RGB and into the cells.
#include "index/pixels/sample_layout.hpp"
#include "index/pixels/sample_paths.hpp"

#include <libheif/heif.h>
#if IPD_HAVE_HEIF_TILES
#include <libheif/heif_properties.h>
#endif

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

namespace ipd::sample_paths {

#if IPD_HAVE_HEIF_TILES

namespace {

using sampling::Box;
using sampling::Frame;
using sampling::Turn;

template <auto Free> struct Deleter {
  template <typename T> void operator()(T* pointer) const { Free(pointer); }
};
using Context = std::unique_ptr<heif_context, Deleter<heif_context_free>>;
using Handle = std::unique_ptr<heif_image_handle, Deleter<heif_image_handle_release>>;
using Image = std::unique_ptr<heif_image, Deleter<heif_image_release>>;
using Options = std::unique_ptr<heif_decoding_options, Deleter<heif_decoding_options_free>>;

void init_libheif() {
  static std::once_flag once;
  std::call_once(once, [] { heif_init(nullptr); });
}

bool failed(heif_error error, SampleReport& report, const char* what) {
  if (error.code == heif_error_Ok) {
    return false;
  }
  report.fallback = std::string(what) + ": " + (error.message ? error.message : "libheif error");
  return true;
}

// The frame of the stored grid `width`×`height` once the item's transformations are applied in
// order. False for a transformation it does not know.
bool transformed_frame(const heif_context* context, heif_item_id item, int width, int height, Frame& frame,
                       SampleReport& report) {
  frame = Frame::whole(width, height, Turn{});
  const int count = heif_item_get_transformation_properties(context, item, nullptr, 0);
  std::vector<heif_property_id> properties(static_cast<std::size_t>(std::max(count, 0)));
  heif_item_get_transformation_properties(context, item, properties.data(), count);
  for (const heif_property_id property : properties) {
    // Each turn maps the picture after the transformation to the picture before it.
    switch (heif_item_get_property_type(context, item, property)) {
    case heif_item_property_type_transform_rotation: {
      const int ccw = heif_item_get_property_transform_rotation_ccw(context, item, property);
      const Turn turn = ccw == 90    ? Turn{true, true, false}
                        : ccw == 180 ? Turn{false, true, true}
                        : ccw == 270 ? Turn{true, false, true}
                                     : Turn{};
      if (ccw != 0 && turn == Turn{}) {
        report.fallback = "unknown rotation";
        return false;
      }
      frame.turn = sampling::compose(turn, frame.turn);
      break;
    }
    case heif_item_property_type_transform_mirror: {
      const auto direction = heif_item_get_property_transform_mirror(context, item, property);
      if (direction == heif_transform_mirror_direction_invalid) {
        report.fallback = "unknown mirror";
        return false;
      }
      const Turn turn = direction == heif_transform_mirror_direction_vertical ? Turn{false, false, true}
                                                                              : Turn{false, true, false};
      frame.turn = sampling::compose(turn, frame.turn);
      break;
    }
    case heif_item_property_type_transform_crop: {
      const int shown_width = static_cast<int>(std::lround(frame.upright_width()));
      const int shown_height = static_cast<int>(std::lround(frame.upright_height()));
      int left = 0;
      int top = 0;
      int right = 0;
      int bottom = 0;
      heif_item_get_property_transform_crop_borders(context, item, property, shown_width, shown_height, &left,
                                                    &top, &right, &bottom);
      if (left < 0 || top < 0 || right < 0 || bottom < 0 || left + right >= shown_width ||
          top + bottom >= shown_height) {
        report.fallback = "crop outside the picture";
        return false;
      }
      const Box kept{static_cast<double>(left) / shown_width, static_cast<double>(top) / shown_height,
                     static_cast<double>(shown_width - right) / shown_width,
                     static_cast<double>(shown_height - bottom) / shown_height};
      const Box stored = sampling::stored_box(frame.turn, kept);
      const Box shown = frame.shown;
      frame.shown = {shown.x0 + stored.x0 * shown.width(), shown.y0 + stored.y0 * shown.height(),
                     shown.x0 + stored.x1 * shown.width(), shown.y0 + stored.y1 * shown.height()};
      break;
    }
    default: report.fallback = "unknown transformation"; return false;
    }
  }
  return true;
}

// The tiles (column, row) of a grid of `tiling` that the boxes meet.
std::set<std::pair<std::uint32_t, std::uint32_t>> tiles_under(const std::array<Box, k_sample_regions>& boxes,
                                                              const heif_image_tiling& tiling) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> tiles;
  auto span = [](double begin, double end, std::uint32_t size, std::uint32_t count) {
    const auto first = static_cast<std::uint32_t>(std::max(0.0, std::floor(begin / size)));
    const auto last = static_cast<std::uint32_t>(std::max(0.0, std::ceil(end / size) - 1));
    return std::make_pair(std::min(first, count - 1), std::min(last, count - 1));
  };
  for (const Box& box : boxes) {
    const auto [first_column, last_column] = span(box.x0, box.x1, tiling.tile_width, tiling.num_columns);
    const auto [first_row, last_row] = span(box.y0, box.y1, tiling.tile_height, tiling.num_rows);
    for (std::uint32_t row = first_row; row <= last_row; ++row) {
      for (std::uint32_t column = first_column; column <= last_column; ++column) {
        tiles.emplace(column, row);
      }
    }
  }
  return tiles;
}

// Decodes one stored tile to RGB and adds it to the cells.
bool add_tile(const heif_image_handle* handle, const heif_decoding_options* options,
              const heif_image_tiling& tiling, std::uint32_t column, std::uint32_t row,
              sampling::SampleBuilder& builder, SampleReport& report) {
  heif_image* raw = nullptr;
  if (failed(heif_image_handle_decode_image_tile(handle, &raw, heif_colorspace_RGB,
                                                 heif_chroma_interleaved_RGB, options, column, row),
             report, "tile")) {
    return false;
  }
  const Image tile(raw);
  int stride = 0;
  const std::uint8_t* plane = heif_image_get_plane_readonly(raw, heif_channel_interleaved, &stride);
  const int width = heif_image_get_width(raw, heif_channel_interleaved);
  const int height = heif_image_get_height(raw, heif_channel_interleaved);
  if (!plane || width <= 0 || height <= 0) {
    report.fallback = "tile without RGB pixels";
    return false;
  }
  const auto left = static_cast<std::int64_t>(column) * tiling.tile_width;
  const auto top = static_cast<std::int64_t>(row) * tiling.tile_height;
  const int shown_width = static_cast<int>(std::min<std::int64_t>(width, tiling.image_width - left));
  const int shown_height = static_cast<int>(std::min<std::int64_t>(height, tiling.image_height - top));
  if (shown_width > 0 && shown_height > 0) {
    builder.add(static_cast<int>(left), static_cast<int>(top), shown_width, shown_height, plane, stride, 3);
  }
  ++report.tiles_decoded;
  return true;
}

} // namespace

bool heif_tiles(std::span<const std::uint8_t> data, Sample& out, SampleReport& report) {
  init_libheif();
  const Context context(heif_context_alloc());
  if (!context ||
      failed(heif_context_read_from_memory_without_copy(context.get(), data.data(), data.size(), nullptr),
             report, "cannot read HEIF")) {
    return false;
  }
  heif_image_handle* raw_handle = nullptr;
  if (failed(heif_context_get_primary_image_handle(context.get(), &raw_handle), report, "no primary image")) {
    return false;
  }
  const Handle handle(raw_handle);
  if (heif_image_handle_has_alpha_channel(raw_handle)) {
    report.fallback = "has alpha";
    return false;
  }
  if (heif_image_handle_get_luma_bits_per_pixel(raw_handle) != 8) {
    report.fallback = "not 8 bits";
    return false;
  }
  heif_image_tiling tiling{};
  if (failed(heif_image_handle_get_image_tiling(raw_handle, 0, &tiling), report, "no tiling")) {
    return false;
  }
  if (tiling.num_columns * tiling.num_rows < 2 || tiling.tile_width == 0 || tiling.tile_height == 0 ||
      tiling.image_width == 0 || tiling.image_height == 0) {
    report.fallback = "not a grid";
    return false;
  }
  Frame frame;
  if (!transformed_frame(context.get(), heif_image_handle_get_item_id(raw_handle),
                         static_cast<int>(tiling.image_width), static_cast<int>(tiling.image_height), frame,
                         report)) {
    return false;
  }
  sampling::SampleBuilder builder(frame, 1.0);
  const Options options(heif_decoding_options_alloc());
  options->ignore_transformations = 1;
  report.path = SamplePath::heif_tiles;
  report.tiles_total = tiling.num_columns * tiling.num_rows;
  for (const auto& [column, row] : tiles_under(builder.regions(), tiling)) {
    if (!add_tile(raw_handle, options.get(), tiling, column, row, builder, report)) {
      report.path = SamplePath::full_decode;
      return false;
    }
  }
  builder.finish(out);
  return true;
}

#else

bool heif_tiles(std::span<const std::uint8_t>, Sample&, SampleReport& report) {
  report.fallback = "libheif cannot decode single tiles (before 1.19)";
  return false;
}

#endif

} // namespace ipd::sample_paths
