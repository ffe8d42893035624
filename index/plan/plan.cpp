// The plan, as a list of passes (each in the file named after it; passes.hpp has their types):
//
//   records ─► 1 classify        media with a capture time / without / sidecars / other / outside
//           ─► 2 byte copies     one inode ─► same size ─► same first 64 KiB ─► same hash of all bytes
//           ─► 2b decisions      the user's keep / apart / together, found by content (decisions.cpp):
//                                they act before the rules, at 3, 5, 6 and 9
//           ─► 3 candidates      same kind, instant, device; content ids not different; no edit
//                                against its original; none with an `apart` file
//           ─► 4 content         headers settle a pair (content id + size: same; aspect: different),
//                                else samples, then fingerprints; movies by duration and dimensions;
//                                the still pairs refused are kept as near misses
//           ─► 5 groups          agreeing pairs merge closest first, only when every pair across
//                                two groups agrees; a damaged file then follows its closest
//                                agreeing file; each `together` set joins its groups
//           ─► 6 captures        each group with its byte copies, ranked: the keeper first (a
//                                `keep` before every rule, then intact before damaged)
//           ─► 7 live photos     a movie capture joins the still capture of its content id or name
//           ─► 8 capture paths   <device>/YYYY/YYYY-MM/YYYYMMDD_HHMMSS_stem.EXT, RAW siblings,
//                                Live Photo movies, duplicates/ at the keeper's path
//           ─► 9 unknown time    unknown_time/<root>/…, byte copies as duplicates (a `keep` picks)
//           ─► 10 sidecars       AAE/XMP beside the keeper of their media's capture (after 8 and 9:
//                                they follow the roles those gave)
//           ─► 11 others         other/<root>/…, or outside the view
//           ─► 12 reasons        each keeper's reason, from its whole group: roles, and the rule
//                                that beat each kind of rival (or the user's keep)
//           ─► 13 README.txt     the folders, counts, unreadable files and the decisions
//
// Every pass is deterministic: ties break on paths, never on thread timing.
#include "index/plan/plan.hpp"

#include "index/plan/file_content.hpp"
#include "index/plan/passes.hpp"

#include <chrono>
#include <cstdio>

namespace ipd {

namespace {

// Runs one pass and notes its wall time under `name`.
template <typename Pass> auto timed(PlanStats& stats, std::string_view name, Pass&& pass) {
  const auto start = std::chrono::steady_clock::now();
  struct Note {
    PlanStats& stats;
    std::string_view name;
    std::chrono::steady_clock::time_point start;
    ~Note() {
      stats.pass_seconds.emplace_back(
          name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  } note{stats, name, start};
  return pass();
}

} // namespace

std::optional<PlanOptions> parse_options(std::string_view described) {
  PlanOptions options;
  int full_compare = 0;
  int raw_sidecars = 0;
  int used = 0;
  const std::string text(described);
  if (std::sscanf(text.c_str(), "threshold=%lf full_compare=%d full_threshold=%lf raw_sidecars=%d%n",
                  &options.threshold, &full_compare, &options.full_threshold, &raw_sidecars, &used) != 4 ||
      static_cast<std::size_t>(used) != text.size()) {
    return std::nullopt;
  }
  options.full_compare = full_compare != 0;
  options.raw_sidecars = raw_sidecars != 0;
  return options;
}

std::string describe(const PlanOptions& options) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "threshold=%.3f full_compare=%d full_threshold=%.3f raw_sidecars=%d",
                options.threshold, options.full_compare ? 1 : 0, options.full_threshold,
                options.raw_sidecars ? 1 : 0);
  return buf;
}

Plan make_plan(std::vector<FileRecord>& records, const std::vector<std::string>& roots,
               const PlanOptions& options, const std::vector<Decision>& decisions, FileContent& content) {
  const auto start = std::chrono::steady_clock::now();
  Plan plan;
  PlanStats& stats = plan.stats;
  plan.placements.resize(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    plan.placements[i].source = records[i].path;
  }

  const auto classes = timed(stats, "classify", [&] { return classify(records); });
  const auto copies = timed(stats, "copies", [&] {
    return find_byte_copies(records, classes, content, options.one_at_a_time, options.progress);
  });
  Decided decided = timed(stats, "decisions",
                          [&] { return match_decisions(records, classes, copies, decisions, content); });
  const auto candidates = timed(stats, "candidates", [&] {
    auto pairs = candidate_pairs(records, classes, copies);
    drop_apart(pairs, copies, decided);
    return pairs;
  });
  const auto checked =
      timed(stats, "content", [&] { return check_content(records, candidates, options, content, stats); });
  const auto groups = timed(stats, "groups", [&] {
    auto group_of = group_with_damaged(records, checked.agreeing);
    join_together(group_of, decided);
    return group_of;
  });
  const auto captures =
      timed(stats, "captures", [&] { return rank_captures(records, classes, copies, groups, decided); });
  note_keep_conflicts(captures, decided, decided.outcomes);
  const auto live = timed(stats, "live-photos", [&] { return pair_live_photos(records, captures); });

  const Kinship kinship(records, copies, checked.agreeing, decided);
  timed(stats, "view-paths", [&] {
    ViewNames names(roots);
    const auto family_stems =
        place_captures(records, copies, captures, live, kinship, options, names, plan.placements);
    place_unknown_time(records, classes, copies, decided, kinship, names, plan.placements);
    place_sidecars(records, classes, captures, family_stems, names, plan.placements);
    place_others(records, classes, names, plan.placements);
  });
  timed(stats, "reasons", [&] { explain_keepers(records, captures, kinship, plan.placements); });
  for (const Capture& capture : captures.list) {
    stats.groups += capture.files.size() > 1 ? 1 : 0;
  }
  plan.readme = readme_text(records, plan.placements, stats.groups, decisions, decided.outcomes);
  plan.decisions = std::move(decided.outcomes);
  for (const RefusedPair& r : checked.refused) {
    plan.near_misses.push_back({records[r.a].path, records[r.b].path, r.sample, r.whole, r.why});
  }

  stats.hashed = copies.hashed.size() + decided.hashed.size();
  plan.updated = copies.hashed;
  plan.updated.insert(plan.updated.end(), decided.hashed.begin(), decided.hashed.end());
  plan.updated.insert(plan.updated.end(), checked.printed.begin(), checked.printed.end());
  std::sort(plan.updated.begin(), plan.updated.end());
  plan.updated.erase(std::unique(plan.updated.begin(), plan.updated.end()), plan.updated.end());
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return plan;
}

} // namespace ipd
