#include "index/pixels/sample_layout.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ipd::sampling {
namespace {

struct Interval {
  double begin;
  double end;
};

// See the header: inside one tile of the 12 MP and the 24 MP iPhone grid, from either end.
constexpr Interval k_long_first{512.0 / 4032.0, 1232.0 / 5712.0};
constexpr Interval k_short_first{896.0 / 4284.0, 976.0 / 3024.0};
// Sides within this ratio take the short-axis intervals on both axes.
constexpr double k_square_ratio = 1.1;

constexpr Interval mirrored(Interval interval) { return {1.0 - interval.end, 1.0 - interval.begin}; }

std::pair<double, double> apply(Turn turn, double u, double v) {
  const double a = turn.swap ? v : u;
  const double b = turn.swap ? u : v;
  return {turn.flip_x ? 1.0 - a : a, turn.flip_y ? 1.0 - b : b};
}

double snapped(double value) {
  const double whole = std::round(value);
  return std::fabs(value - whole) < 1e-6 ? whole : value;
}

} // namespace

Turn turn_of_orientation(int orientation) {
  switch (orientation) {
  case 2: return {false, true, false};
  case 3: return {false, true, true};
  case 4: return {false, false, true};
  case 5: return {true, false, false};
  case 6: return {true, false, true};
  case 7: return {true, true, true};
  case 8: return {true, true, false};
  default: return {};
  }
}

Turn compose(Turn outer, Turn inner) {
  auto through = [&](double u, double v) {
    const auto [p, q] = apply(outer, u, v);
    return apply(inner, p, q);
  };
  const auto [s0, t0] = through(0, 0);
  const auto [s1, t1] = through(1, 0);
  (void)t1;
  Turn turn;
  turn.swap = s1 == s0; // moving along u moves t, not s
  turn.flip_x = s0 == 1.0;
  turn.flip_y = t0 == 1.0;
  return turn;
}

Box stored_box(Turn turn, const Box& upright) {
  const auto [s0, t0] = apply(turn, upright.x0, upright.y0);
  const auto [s1, t1] = apply(turn, upright.x1, upright.y1);
  return {std::min(s0, s1), std::min(t0, t1), std::max(s0, s1), std::max(t0, t1)};
}

std::array<Box, k_sample_regions> upright_regions(double width, double height) {
  const bool square = std::max(width, height) <= k_square_ratio * std::min(width, height);
  const Interval first_long = square ? k_short_first : k_long_first;
  const std::array<Interval, 2> along_long{first_long, mirrored(first_long)};
  const std::array<Interval, 2> along_short{k_short_first, mirrored(k_short_first)};
  const bool landscape = width >= height;
  const std::array<Interval, 2>& along_x = landscape ? along_long : along_short;
  const std::array<Interval, 2>& along_y = landscape ? along_short : along_long;
  std::array<Box, k_sample_regions> regions{};
  for (std::size_t row = 0; row < 2; ++row) {
    for (std::size_t column = 0; column < 2; ++column) {
      regions[row * 2 + column] = {along_x[column].begin, along_y[row].begin, along_x[column].end,
                                   along_y[row].end};
    }
  }
  return regions;
}

double smallest_cell(double width, double height) {
  double smallest = std::max(width, height);
  for (const Box& box : upright_regions(width, height)) {
    smallest =
        std::min({smallest, box.width() * width / k_sample_side, box.height() * height / k_sample_side});
  }
  return smallest;
}

int jpeg_scale_denom(int width, int height) {
  const double cell = smallest_cell(width, height);
  for (const int denom : {8, 4, 2}) {
    if (cell / denom >= k_min_decoded_cell) {
      return denom;
    }
  }
  return 1;
}

Frame Frame::whole(int width, int height, Turn turn) {
  return {width, height, Box{0, 0, static_cast<double>(width), static_cast<double>(height)}, turn};
}

std::array<Box, k_sample_regions> stored_regions(const Frame& frame) {
  std::array<Box, k_sample_regions> out{};
  const auto upright = upright_regions(frame.upright_width(), frame.upright_height());
  for (std::size_t k = 0; k < k_sample_regions; ++k) {
    const Box box = stored_box(frame.turn, upright[k]);
    out[k] = {snapped(frame.shown.x0 + box.x0 * frame.shown.width()),
              snapped(frame.shown.y0 + box.y0 * frame.shown.height()),
              snapped(frame.shown.x0 + box.x1 * frame.shown.width()),
              snapped(frame.shown.y0 + box.y1 * frame.shown.height())};
  }
  return out;
}

std::vector<SampleBuilder::Share> SampleBuilder::shares(double begin, double end, double step, int full) {
  std::vector<Share> out;
  const double cell_size = (end - begin) / k_sample_side;
  if (!(cell_size > 0) || !(step > 0)) {
    return out;
  }
  const int first_pixel = std::max(0, static_cast<int>(std::floor(begin / step)));
  for (int i = first_pixel;; ++i) {
    const double pixel_begin = std::max(i * step, begin);
    const double pixel_end = std::min({(i + 1) * step, static_cast<double>(full), end});
    if (pixel_begin >= end || pixel_begin >= full) {
      break;
    }
    if (pixel_end <= pixel_begin) {
      continue;
    }
    const int first_cell =
        std::clamp(static_cast<int>((pixel_begin - begin) / cell_size), 0, k_sample_side - 1);
    for (int cell = first_cell; cell < k_sample_side; ++cell) {
      const double cell_begin = begin + cell * cell_size;
      const double cell_end = begin + (cell + 1) * cell_size;
      if (cell_begin >= pixel_end) {
        break;
      }
      const double overlap = std::min(pixel_end, cell_end) - std::max(pixel_begin, cell_begin);
      if (overlap > 0) {
        out.push_back({i, cell, overlap});
      }
    }
  }
  return out;
}

SampleBuilder::SampleBuilder(const Frame& frame, double step)
    : m_frame(frame), m_regions(stored_regions(frame)) {
  for (std::size_t k = 0; k < k_sample_regions; ++k) {
    const Box& box = m_regions[k];
    m_cells[k].columns = shares(box.x0, box.x1, step, frame.width);
    m_cells[k].rows = shares(box.y0, box.y1, step, frame.height);
  }
}

bool SampleBuilder::wants_row(int y) const {
  return std::any_of(m_cells.begin(), m_cells.end(), [y](const Region& region) {
    return !region.rows.empty() && region.rows.front().pixel <= y && y <= region.rows.back().pixel;
  });
}

void SampleBuilder::add(int left, int top, int width, int height, const std::uint8_t* pixels,
                        std::ptrdiff_t stride, int bands) {
  const auto by_pixel = [](const Share& share, int pixel) { return share.pixel < pixel; };
  for (Region& region : m_cells) {
    const auto first_row = std::lower_bound(region.rows.begin(), region.rows.end(), top, by_pixel);
    const auto end_row = std::lower_bound(first_row, region.rows.end(), top + height, by_pixel);
    const auto first_column = std::lower_bound(region.columns.begin(), region.columns.end(), left, by_pixel);
    const auto end_column = std::lower_bound(first_column, region.columns.end(), left + width, by_pixel);
    if (first_row == end_row || first_column == end_column) {
      continue;
    }
    std::array<double, k_sample_side> row_sums{};
    int summed_row = -1;
    for (auto row = first_row; row != end_row; ++row) {
      if (row->pixel != summed_row) {
        row_sums.fill(0.0);
        const std::uint8_t* line = pixels + static_cast<std::ptrdiff_t>(row->pixel - top) * stride;
        for (auto column = first_column; column != end_column; ++column) {
          const std::uint8_t* pixel = line + static_cast<std::ptrdiff_t>(column->pixel - left) * bands;
          const double luma = bands >= 3 ? 0.299 * pixel[0] + 0.587 * pixel[1] + 0.114 * pixel[2]
                                         : static_cast<double>(pixel[0]);
          row_sums[static_cast<std::size_t>(column->cell)] += luma * column->weight;
        }
        summed_row = row->pixel;
      }
      double* cells = &region.sums[static_cast<std::size_t>(row->cell) * k_sample_side];
      for (std::size_t x = 0; x < k_sample_side; ++x) {
        cells[x] += row_sums[x] * row->weight;
      }
    }
  }
}

void SampleBuilder::finish(Sample& out) const {
  constexpr int last = k_sample_side - 1;
  const Turn turn = m_frame.turn;
  for (std::size_t k = 0; k < k_sample_regions; ++k) {
    const Region& region = m_cells[k];
    std::array<double, k_sample_side> column_weight{};
    std::array<double, k_sample_side> row_weight{};
    for (const Share& share : region.columns) {
      column_weight[static_cast<std::size_t>(share.cell)] += share.weight;
    }
    for (const Share& share : region.rows) {
      row_weight[static_cast<std::size_t>(share.cell)] += share.weight;
    }
    for (int y = 0; y < k_sample_side; ++y) {
      for (int x = 0; x < k_sample_side; ++x) {
        // The stored cell that shows at upright cell (x, y), as apply() maps points.
        const int a = turn.swap ? y : x;
        const int b = turn.swap ? x : y;
        const auto sx = static_cast<std::size_t>(turn.flip_x ? last - a : a);
        const auto sy = static_cast<std::size_t>(turn.flip_y ? last - b : b);
        const double area = column_weight[sx] * row_weight[sy];
        const double mean = area > 0 ? region.sums[sy * k_sample_side + sx] / area : 0.0;
        out.grey[k * k_sample_region_cells + static_cast<std::size_t>(y) * k_sample_side +
                 static_cast<std::size_t>(x)] =
            static_cast<std::uint8_t>(std::clamp(std::lround(mean), 0L, 255L));
      }
    }
  }
  out.aspect = static_cast<float>(m_frame.upright_width() / m_frame.upright_height());
}

} // namespace ipd::sampling
