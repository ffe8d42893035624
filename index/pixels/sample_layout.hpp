// Where a sample looks (sample.hpp), and how decoded pixels become its cells. Pure geometry and
// arithmetic: no decoder, so the decoding paths of the pixels module and the tests share it.
//
// The four regions are fixed in normalized coordinates of the upright picture, on its long and
// short axes (x is the long axis of a landscape picture, y of a portrait one):
//
//        long axis →   L0            L1
//                 ┌───────────────────────────┐
//   short axis S0 │  ▓▓ 0               ▓▓ 1  │   L0 = [512/4032, 1232/5712]   ≈ [0.127, 0.216]
//             ↓   │                           │   L1 = 1 − L0                  ≈ [0.784, 0.873]
//              S1 │  ▓▓ 2               ▓▓ 3  │   S0 = [896/4284, 976/3024]    ≈ [0.209, 0.323]
//                 └───────────────────────────┘   S1 = 1 − S0                  ≈ [0.677, 0.791]
//
// Each interval is the largest that lies inside one tile of both iPhone grids — 12 MP: 4032×3024
// in 512×512 tiles; 24 MP: 5712×4284 in 640×896 tiles — forwards and backwards, so on either
// grid, however the picture is turned or mirrored (irot/imir, EXIF orientation), each region is
// one tile and a sample decodes 4 of 48 (or 45). A picture that is about square (sides within
// 10 %) uses S0 and S1 on both axes, so that its copies agree on the layout whichever side
// came out longer. Each region is cut into 16×16 cells whose values are the exact area average
// of the picture's luma over the cell, so a downscaled copy, a DCT-scaled decode and a full
// decode all land on the same values.
#pragma once

#include "index/pixels/sample.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipd::sampling {

// A half-open rectangle [x0, x1) × [y0, y1), in normalized or pixel coordinates.
struct Box {
  double x0 = 0;
  double y0 = 0;
  double x1 = 0;
  double y1 = 0;
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
  bool operator==(const Box&) const = default;
};

// How a stored picture shows upright, as a map of normalized coordinates: the upright point
// (u, v) shows the stored point (s, t) with (a, b) = swap ? (v, u) : (u, v),
// s = flip_x ? 1 − a : a, t = flip_y ? 1 − b : b.
struct Turn {
  bool swap = false;
  bool flip_x = false;
  bool flip_y = false;
  bool operator==(const Turn&) const = default;
};

// The turn of EXIF orientation 1..8 (anything else: none).
Turn turn_of_orientation(int orientation);
// The turn of a picture that is `inner` turned, then turned again by `outer`: the upright point
// goes through `outer` first, then through `inner`.
Turn compose(Turn outer, Turn inner);
// The stored normalized box an upright normalized box shows.
Box stored_box(Turn turn, const Box& upright);

// The sample's regions on an upright picture of the given size, in normalized coordinates,
// region by region (0 top left, 1 top right, 2 bottom left, 3 bottom right).
std::array<Box, k_sample_regions> upright_regions(double width, double height);

// The side of the smallest cell of a picture whose upright sides are width×height, in its pixels.
double smallest_cell(double width, double height);
// The DCT scaling (1, 2, 4 or 8) a JPEG stored width×height is sampled at: the coarsest that
// keeps at least k_min_decoded_cell decoded pixels across every cell. Measured on the corpus
// (std dev of the cell values' difference from a full-size decode, before rounding): with the
// 21.5-px cells of a 12 MP picture, 1/2 moves them by 0.08–0.16, 1/4 by 0.36–0.62, 1/8 by
// 1.2–2.3; with the 10.9-px cells of a 2048-px copy, 1/2 already by 0.32–0.37. So 12 MP and
// larger decode at 1/2, smaller pictures at full size.
inline constexpr double k_min_decoded_cell = 8;
int jpeg_scale_denom(int width, int height);

// A stored picture and how it shows: `shown` is the part of it that is shown (a HEIF clap
// crop), in stored pixels, and `turn` how that part is turned upright.
struct Frame {
  int width = 0; // the stored picture
  int height = 0;
  Box shown{};
  Turn turn{};

  // The whole stored picture turned by `turn`.
  static Frame whole(int width, int height, Turn turn);
  double upright_width() const { return turn.swap ? shown.height() : shown.width(); }
  double upright_height() const { return turn.swap ? shown.width() : shown.height(); }
};

// The regions of `frame`'s upright picture, in stored pixels, region by region. Coordinates
// within 1e-6 of a whole pixel are made whole, so a region that starts on a tile edge does not
// reach into the tile before.
std::array<Box, k_sample_regions> stored_regions(const Frame& frame);

// Accumulates decoded pixels into the cells of a sample.
class SampleBuilder {
public:
  // The decoded picture is `frame`'s whole stored picture, `step` stored pixels per decoded
  // pixel (1 at full size; 2, 4, 8 for a JPEG decoded with DCT scaling): decoded pixel i covers
  // stored pixels [i·step, min((i+1)·step, width)).
  SampleBuilder(const Frame& frame, double step);

  // The regions in stored pixels (stored_regions(frame)).
  const std::array<Box, k_sample_regions>& regions() const { return m_regions; }
  // Whether decoded row `y` meets a region.
  bool wants_row(int y) const;
  // Adds a block of decoded 8-bit pixels whose top-left pixel is decoded (left, top): `bands`
  // 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored) interleaved, rows `stride` bytes apart.
  void add(int left, int top, int width, int height, const std::uint8_t* pixels, std::ptrdiff_t stride,
           int bands);
  // The sample: each cell's mean, rounded, turned upright; the aspect of the upright picture.
  // A cell no decoded pixel reached is 0.
  void finish(Sample& out) const;

private:
  // How one decoded column (or row) spreads over a region's cells.
  struct Share {
    int pixel;
    int cell;
    double weight; // stored pixels of overlap
  };
  struct Region {
    std::vector<Share> columns;
    std::vector<Share> rows;
    std::array<double, k_sample_region_cells> sums{}; // luma·weight per stored-order cell
  };
  static std::vector<Share> shares(double begin, double end, double step, int full);

  Frame m_frame;
  std::array<Box, k_sample_regions> m_regions{};
  std::array<Region, k_sample_regions> m_cells{};
};

} // namespace ipd::sampling
