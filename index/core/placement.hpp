// Where an input file goes in the view, and what the view shows of it: the words the plan
// writes and the view, the mount and materialize read. No planning here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipd {

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
  bool operator==(const Placement&) const = default;
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
