// `review DIR` (docs/DESIGN.md §8): an offline HTML page of the plan's decisions with previews,
// written as a list of passes:
//
//   check_dir      DIR apart from the input roots and the catalog
//   read_model     every file and placement, grouped into items (model.hpp)
//   make_previews  the previews the pages show, cached by content (thumbnails.hpp)
//   write_pages    index.html and pages/*.html, by device and month (pages.hpp)
//
// It reads the catalog and the inputs (O_NOATIME) and writes only in DIR.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/progress.hpp"
#include "index/review/model.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipd::review {

struct Options {
  std::filesystem::path dir;    // made when missing
  std::string catalog_words;    // what the page's commands add to name the catalog (" --catalog DIR")
  Progress* progress = nullptr; // may be null
};

// A file that could not be read for its preview.
struct ReadError {
  std::string path;
  std::string what;
};

struct Report {
  Counts counts;
  std::size_t captures = 0;
  std::size_t near_misses = 0;
  std::size_t live = 0;
  std::size_t decisions = 0;
  std::size_t pages = 0;
  std::uint64_t previews_made = 0;
  std::uint64_t previews_reused = 0;
  std::uint64_t previews_removed = 0;
  std::uint64_t previews_failed = 0; // stills that could not be decoded (shown on the page)
  std::uint64_t bytes_read = 0;
  std::vector<ReadError> errors; // inputs that could not be read, or changed since the last index
  double seconds = 0;
};

// Writes the review of the catalog's complete view into options.dir. Throws Fatal when the view
// is not complete, when DIR lies inside an input root or the catalog (or holds one), or when DIR
// cannot be written.
Report write_review(const Catalog& catalog, const Options& options);

} // namespace ipd::review
