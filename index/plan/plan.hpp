// The plan: which files are copies of one capture, which copy is kept, where every file goes.
#pragma once

#include "index/core/decision.hpp"
#include "index/core/placement.hpp"
#include "index/core/progress.hpp"
#include "index/core/record.hpp"
#include "index/pixels/fingerprint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipd {

struct PlanOptions {
  double threshold = k_default_fingerprint_threshold; // fingerprint distance
  bool full_compare = false;                          // compare whole images instead
  double full_threshold = k_default_full_compare_percent;
  bool raw_sidecars = true; // a DNG's JPG/HEIC sibling is kept beside it (else: a duplicate)
  // Hash files one at a time in inode order (the inputs are on a spinning disk). Not part of
  // describe(): it changes how files are read, never the plan.
  bool one_at_a_time = false;
  // Told of the passes that read files (hashing copies, sampling and decoding pictures), when not
  // null. Not part of describe() either.
  Progress* progress = nullptr;
};

struct PlanStats {
  std::uint64_t groups = 0;        // captures with more than one file
  std::uint64_t hashed = 0;        // files whose full content was hashed in this run
  std::uint64_t fingerprinted = 0; // fingerprints computed in this run
  std::uint64_t fingerprint_errors = 0;
  std::uint64_t settled_by_metadata = 0; // still pairs settled without pixels
  std::uint64_t refused_by_aspect = 0;   // still pairs whose headers show other aspect ratios
  // Fingerprints computed, and thread-seconds spent on them, by source format.
  std::uint64_t heic_prints = 0;
  double heic_seconds = 0;
  std::uint64_t jpeg_prints = 0;
  double jpeg_seconds = 0;
  // Samples computed (sample.hpp), and thread-seconds spent on them, by source format.
  std::uint64_t sampled = 0;
  std::uint64_t sample_errors = 0;
  std::uint64_t heic_samples = 0;
  double heic_sample_seconds = 0;
  std::uint64_t jpeg_samples = 0;
  double jpeg_sample_seconds = 0;
  // Still pairs that needed pixels: decided by their samples, or left to the whole pictures
  // (in the band, or written by an editor).
  std::uint64_t pairs_sample_same = 0;
  std::uint64_t pairs_sample_different = 0;
  std::uint64_t pairs_in_band = 0;
  std::uint64_t pairs_by_editor = 0;
  double seconds = 0;
  // Wall time of each pass, in the order they ran ("copies", "content", ...).
  std::vector<std::pair<std::string_view, double>> pass_seconds;
};

// What came of one of the user's decisions in a plan.
struct DecisionOutcome {
  std::vector<std::size_t> files; // the records of its content (its byte copies all), in path order
  std::string note;               // empty when it holds as made; else why not, or not wholly
  bool operator==(const DecisionOutcome&) const = default;
};

struct Plan {
  std::vector<Placement> placements;      // one per record, in the records' (path) order
  std::string readme;                     // README.txt at the view root
  std::vector<std::size_t> updated;       // records whose sample, fingerprint or content hash this run set
  std::vector<DecisionOutcome> decisions; // one per decision given, in their order
  std::vector<NearMiss> near_misses;      // still pairs of one instant the content check kept apart
  PlanStats stats;
};

class FileContent;

// Makes the plan for `records` (every input file, in path order) under `roots` (as indexed),
// the user's `decisions` (in any order) applied before every rule. Reads files, through
// `content`, only to hash same-size files and files of a decided size, and to fingerprint stills
// that may be copies of one another, storing both on the records so that the caller can keep
// them in the catalog. The result depends only on the records, the options, the decisions and
// what `content` answers, never on the thread count (which the caller sets, e.g. with a
// tbb::global_control).
Plan make_plan(std::vector<FileRecord>& records, const std::vector<std::string>& roots,
               const PlanOptions& options, const std::vector<Decision>& decisions, FileContent& content);

// The options as one line, stored with the view so that a change of options remakes it.
std::string describe(const PlanOptions& options);
// The options describe() wrote; nullopt for a line of another form.
std::optional<PlanOptions> parse_options(std::string_view described);

} // namespace ipd
