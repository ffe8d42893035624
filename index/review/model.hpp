// What the review page shows, read from the catalog in one pass (docs/DESIGN.md §8, review):
// every input file with its placement, grouped into the items a user looks at, and the shelves
// (device and month) the items are paged by. No HTML and no pixels here.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/placement.hpp"
#include "index/core/record.hpp"
#include "index/view/decisions.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipd::review {

inline constexpr std::size_t k_no_file = static_cast<std::size_t>(-1);

// One input file: its record (without fingerprint and sample) and where the view has it.
struct File {
  FileRecord record;
  std::optional<Placement> placement; // none for a file the last plan did not place
};

// A keeper with the files of its capture: duplicates and raw-sidecars (its copies), companions.
struct Capture {
  std::size_t keeper = 0;
  std::vector<std::size_t> members; // raw-sidecars, duplicates, then companions; by path in each
};

// A Live Photo: a still keeper and its movie companion.
struct LivePair {
  std::size_t still = 0;
  std::size_t movie = 0;
};

// Two captures with stills the content check kept apart, shown by their closest pair (the
// smallest sample distance); a file that is no longer an input is k_no_file.
struct NearMissItem {
  NearMiss miss;
  std::size_t a = k_no_file;
  std::size_t b = k_no_file;
  std::size_t more_pairs = 0; // other pairs of the two captures' files kept apart too
};

// Where an item is paged: the device folder and month of the view ("Apple iPhone 12 Pro",
// "2021-05"); an empty month for the unknown_time/ tree and files without a month.
struct Shelf {
  std::string device;
  std::string month;
  auto operator<=>(const Shelf&) const = default;
};

// The items of one shelf, as indices into the model's lists.
struct ShelfItems {
  std::vector<std::size_t> captures;
  std::vector<std::size_t> near_misses;
  std::vector<std::size_t> live;
};

// The counts a user checks against `list --json`: files by role, and the rest.
struct Counts {
  std::uint64_t files = 0;
  std::array<std::uint64_t, 6> by_role{}; // indexed by Role
  std::uint64_t not_in_view = 0;          // no view path (symlinks and the like, unreadable folders)
  std::uint64_t with_errors = 0;          // a record with an error
};

struct Model {
  std::vector<File> files;       // in input path order
  std::vector<Capture> captures; // captures with at least one copy, by keeper path
  std::vector<LivePair> live;
  std::vector<NearMissItem> near_misses; // one per pair of captures
  std::map<Shelf, ShelfItems> shelves;
  std::vector<std::size_t> unknown_time; // role unknown-time
  std::vector<std::size_t> other;        // role other
  std::vector<std::size_t> unreadable;   // files with an error, and files not in the view
  std::vector<DecisionState> decisions;
  Counts counts;
};

// Reads the model of the catalog's complete view (require_complete_view() first). Throws Fatal
// on an undecodable row.
Model read_model(const Catalog& catalog);

// The shelf of a view path: its device folder and month, with `duplicates/` looked through.
Shelf shelf_of(std::string_view view_path);

// The index of input `path` in `model.files`, or k_no_file.
std::size_t find_file(const Model& model, std::string_view path);

} // namespace ipd::review
