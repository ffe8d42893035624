// Where an input file goes in the view, and what the view shows of it: the words the plan
// writes and the view, the mount and materialize read. No planning here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipd {

// The names the view's root keeps for itself: its README.txt and, in a materialized tree, the
// manifest of what materialize made (and its ".journal" and ".tmp" beside it).
constexpr std::string_view k_readme_name = "README.txt";
constexpr std::string_view k_manifest_name = ".iphone-photo-dedup-materialized";
// The folder of captures with a time but no device, spelled like the view's other folders.
constexpr std::string_view k_unknown_device = "unknown_device";

// True for the names materialize keeps at the root of OUTDIR: the manifest, its ".journal" and
// its ".tmp" (compared without case).
bool is_manifest_name(std::string_view name);
// True when a folder at the root of the view may not take `name` (compared without case): a
// folder of the view (duplicates, other, unknown_device, unknown_time), README.txt, or a
// manifest name.
bool is_reserved_top_name(std::string_view name);

// The role of a file in the view (docs/DESIGN.md §4).
enum class Role : std::uint8_t { keeper, companion, raw_sidecar, duplicate, unknown_time, other };

std::string_view role_name(Role role); // "keeper", "raw-sidecar", "unknown-time", ...
std::optional<Role> parse_role(std::string_view name);

// Where one input file goes, and why.
struct Placement {
  std::string source; // the input path
  Role role = Role::other;
  std::string view;        // path inside the view; empty when not in the view (a symlink)
  std::string keeper;      // input path of the keeper (duplicates, companions, raw-sidecars)
  std::string reason;      // one line
  std::string rules;       // every rule that decided, one per line (for explain)
  std::uint32_t group = 0; // capture group (0: none)
  // Duplicates and raw-sidecars: how the file is one capture with its keeper ("byte-identical
  // copy", "same capture: from the sample: content distance 0.31 (same below 1.00)").
  std::string same_as;
  // Duplicates: the rule that made their keeper win over them ("original format HEIC over JPG",
  // "your decision (keep, 2026-12-01)").
  std::string kept_because;
  bool operator==(const Placement&) const = default;
};

// Two stills of one instant, device and content identifier that the content check kept apart
// (an edit, a crop, a burst frame, an HDR pair): what a user checks to be sure no copy was missed.
struct NearMiss {
  std::string a; // input paths, a < b
  std::string b;
  double sample = -1; // the sample distance (0-255); -1 when not sampled
  double whole = -1;  // the whole-picture distance (--full-compare: percent); -1 when not compared
  std::string why;    // "from the sample: content distance 3.92 (different above 2.00)", ...
  bool operator==(const NearMiss&) const = default;
};

// One file of the view, as the catalog keeps it.
struct ViewEntry {
  std::string source; // input path; empty for a generated file (README.txt)
  Role role = Role::other;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string reason;
  std::string keeper;
  std::string capture; // ISO 8601
  std::string device;
  std::string content; // the bytes of a generated file
  bool operator==(const ViewEntry&) const = default;
};

} // namespace ipd
