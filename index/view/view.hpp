// The view as the catalog keeps it: one entry per file of the curated tree and each input's
// placement, written from a plan in one batch. The mount, materialize and the commands read it.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/placement.hpp"
#include "index/plan/plan.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipd {

// Writes the plan in one atomic batch: placements, view entries, README.txt and the near misses
// replace the previous ones; the records the plan updated, the options, and the digest of the decisions it
// was made with (`digest`, decisions_digest()) and its notes on `decisions` are stored.
void write_plan(Catalog& catalog, const Plan& plan, const std::vector<FileRecord>& records,
                const PlanOptions& options, const std::vector<Decision>& decisions,
                const std::string& digest);

// Remakes the plan from the catalog's records and decisions and writes it, unless
// `inputs_changed` is false, the options are those of the view in the catalog, the decisions
// are those it was planned with, and that view exists. Returns the plan made, or nullopt when
// the view was already up to date. Its pass_seconds start with "load" (reading the records and
// decisions) and end with "write" (the view into the catalog).
std::optional<Plan> refresh_plan(Catalog& catalog, const PlanOptions& options, bool inputs_changed);

// The options the view in the catalog was planned with (the defaults when there is none).
PlanOptions view_options(const Catalog& catalog);

// The roots of the last index run.
std::vector<std::string> catalog_roots(const Catalog& catalog);

// A number that write_plan raises each time it replaces the view (0 before the first plan; new
// even after --rebuild):
// a reader following the catalog (the mount) compares it to tell cheaply whether the view changed.
std::uint64_t view_generation(const Catalog& catalog);

// True when the view in the catalog is the plan of its records: a plan was written and no
// index run has changed records since (a run cut short between its reads and its plan leaves
// the view incomplete).
bool view_complete(const Catalog& catalog);
// Throws Fatal, asking for `index` again, when the view is not complete.
void require_complete_view(const Catalog& catalog);

// The view entry at `path` ("" is the root folder, which has no entry).
std::optional<ViewEntry> view_entry(const Catalog& catalog, std::string_view path);
// The placement of input file `source`.
std::optional<Placement> placement_of(const Catalog& catalog, std::string_view source);
// Calls `fn` for every placement, in input path order. Throws Fatal on an undecodable one.
void for_each_placement(const Catalog& catalog, const std::function<void(Placement&&)>& fn);

// The near misses of the view's plan, in path order (empty for a view planned before they were
// kept). Throws Fatal on an undecodable one.
std::vector<NearMiss> near_misses(const Catalog& catalog);

} // namespace ipd
