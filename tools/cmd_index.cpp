// iphone-photo-dedup index ROOT... [--catalog DIR] [--jobs N] [--threshold X] [--full-compare]
//                                  [--no-raw-sidecars] [--rebuild] [--wait]
#include "command.hpp"
#include "decide.hpp"
#include "progress.hpp"

#include "index/core/error.hpp"
#include "index/core/text.hpp"
#include "index/read/indexer.hpp"
#include "index/read/scan.hpp"
#include "index/view/json.hpp"
#include "index/view/view.hpp"

#include <oneapi/tbb/global_control.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

namespace ipd::tools {

namespace {

unsigned long long ull(std::uint64_t n) { return static_cast<unsigned long long>(n); }

// One line of the wall time of every pass, walk to the view's write:
//   passes: walk 0.12 s, read 3.40 s, load 0.01 s, classify 0.00 s, copies 1.02 s, ...
void print_passes(const IndexReport& report, const Plan* plan) {
  std::printf("passes: walk %.2f s, read %.2f s", report.scan_seconds, report.read_seconds);
  if (plan) {
    for (const auto& [name, seconds] : plan->stats.pass_seconds) {
      std::printf(", %.*s %.2f s", static_cast<int>(name.size()), name.data(), seconds);
    }
  }
  std::printf("\n");
}

// What the plan made, and with --verbose how its content checks went.
void print_plan(const Plan& plan, bool verbose) {
  const PlanStats& st = plan.stats;
  std::map<Role, std::uint64_t> roles;
  for (const auto& p : plan.placements) {
    ++roles[p.role];
  }
  std::printf("planned in %.2f s: %llu keepers, %llu companions, %llu raw-sidecars, %llu duplicates, "
              "%llu unknown-time, %llu other\n",
              st.seconds, ull(roles[Role::keeper]), ull(roles[Role::companion]),
              ull(roles[Role::raw_sidecar]), ull(roles[Role::duplicate]), ull(roles[Role::unknown_time]),
              ull(roles[Role::other]));
  std::printf("  %llu captures with copies; %llu files hashed, %llu pictures sampled, %llu decoded whole "
              "(%llu not decodable)\n",
              ull(st.groups), ull(st.hashed), ull(st.sampled), ull(st.fingerprinted),
              ull(st.sample_errors + st.fingerprint_errors));
  if (!verbose) {
    return;
  }
  std::printf(
      "  still pairs: %llu settled by identifier and size and %llu refused by aspect from their headers; "
      "%llu the same and %llu different by their samples; %llu by the whole pictures (%llu in the "
      "sample's band, %llu written by an editor)\n",
      ull(st.settled_by_metadata), ull(st.refused_by_aspect), ull(st.pairs_sample_same),
      ull(st.pairs_sample_different), ull(st.pairs_in_band + st.pairs_by_editor), ull(st.pairs_in_band),
      ull(st.pairs_by_editor));
  const auto rate = [](std::uint64_t n, double seconds) {
    return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
  };
  std::printf(
      "  per thread-second: samples HEIC %.1f (%llu), JPEG %.1f (%llu); whole pictures HEIC %.1f (%llu), "
      "JPEG %.1f (%llu)\n",
      rate(st.heic_samples, st.heic_sample_seconds), ull(st.heic_samples),
      rate(st.jpeg_samples, st.jpeg_sample_seconds), ull(st.jpeg_samples),
      rate(st.heic_prints, st.heic_seconds), ull(st.heic_prints), rate(st.jpeg_prints, st.jpeg_seconds),
      ull(st.jpeg_prints));
}

// The roots of the catalog in `dir`, if it is one that opens; none otherwise.
std::vector<std::string> known_roots(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return {};
  }
  try {
    return catalog_roots(*Catalog::open(dir, Catalog::Access::read_only));
  } catch (const Fatal&) {
    return {};
  }
}

// Which roots were read, which are new, which are missing and kept, which were forgotten.
void print_roots(const IndexReport& report) {
  for (const auto& root : report.roots) {
    const bool added = std::count(report.added_roots.begin(), report.added_roots.end(), root) > 0;
    const bool missing = std::count(report.missing.begin(), report.missing.end(), root) > 0;
    if (missing) {
      std::printf("  root %s is missing (an unplugged disk?): its files are kept until "
                  "`iphone-photo-dedup index --forget-root %s`\n",
                  display_path(root).c_str(), shell_word(root).c_str());
    } else {
      std::printf("  root %s%s\n", display_path(root).c_str(), added ? " (added in this run)" : "");
    }
  }
  for (const auto& root : report.forgotten) {
    std::printf("  root %s forgotten: its files left the catalog\n", display_path(root).c_str());
  }
  if (report.kept_missing > 0) {
    std::printf("  %llu files kept from missing roots\n", ull(report.kept_missing));
  }
}

} // namespace

int cmd_index(Args args) {
  const auto dir = catalog_dir(args);
  const bool rebuild = args.flag("--rebuild");
  const auto wait = args.flag("--wait") ? Catalog::Wait::yes : Catalog::Wait::no;
  const bool verbose = args.flag("--verbose");
  IndexOptions options;
  // Threads for reading, hashing and fingerprints, set once for the whole run.
  std::optional<tbb::global_control> threads;
  if (auto jobs = args.value("--jobs")) {
    if (const unsigned n = parse_unsigned("--jobs", *jobs); n > 0) {
      threads.emplace(tbb::global_control::max_allowed_parallelism, n);
    }
    options.order = ReadOrder::parallel; // even on a spinning disk
  }
  PlanOptions plan_options;
  plan_options.full_compare = args.flag("--full-compare");
  plan_options.raw_sidecars = !args.flag("--no-raw-sidecars");
  if (auto threshold = args.value("--threshold")) {
    const double value = parse_number("--threshold", *threshold);
    (plan_options.full_compare ? plan_options.full_threshold : plan_options.threshold) = value;
  }
  if (auto forget = args.value("--forget-root")) {
    options.forget.emplace_back(*forget);
  }
  for (const auto& root : args.finish()) {
    options.roots.emplace_back(root);
  }
  std::vector<std::string> notes;
  resolve_roots(options.roots, notes); // a missing root stops us before the catalog is made
  if (options.roots.empty()) {
    // Without folders: the catalog's own roots, all of them read again (kept across --rebuild).
    const auto known = known_roots(dir);
    if (known.empty() && options.forget.empty()) {
      throw UsageError("name at least one folder to index");
    }
    if (rebuild) {
      options.roots.assign(known.begin(), known.end());
    }
  }
  // The writer lock is held from here to the last write of the plan. --rebuild starts afresh
  // but for the user's decisions (Catalog::rebuild keeps their table).
  auto catalog =
      rebuild ? Catalog::rebuild(dir, wait) : Catalog::open(dir, Catalog::Access::read_write, wait);

  const auto progress = stderr_progress(); // a bar per pass on a terminal, else a line per pass
  options.progress = progress.get();
  plan_options.progress = progress.get();
  const IndexReport report = run_index(*catalog, options);

  for (const auto& note : report.notes) {
    std::fprintf(stderr, "note: %s\n", display_path(note).c_str());
  }
  for (const auto& record : report.errors) {
    // The tool's words; with --verbose also the library's, after a colon.
    const std::string detail =
        verbose && !record.error_detail.empty() ? ": " + record.error_detail : std::string();
    std::fprintf(stderr, "error: %s: %s%s%s\n", display_path(record.path).c_str(), record.error.c_str(),
                 detail.c_str(),
                 record.damaged ? " (damaged: placed all the same, after any intact copy)" : "");
  }
  std::printf("indexed %llu files under %zu root%s in %.2f s (walk %.2f s, read %.2f s)\n",
              static_cast<unsigned long long>(report.files), report.roots.size(),
              report.roots.size() == 1 ? "" : "s", report.scan_seconds + report.read_seconds,
              report.scan_seconds, report.read_seconds);
  print_roots(report);
  std::printf("  %llu unchanged (not opened), %llu added, %llu changed, %llu removed; %llu files opened\n",
              static_cast<unsigned long long>(report.unchanged),
              static_cast<unsigned long long>(report.added), static_cast<unsigned long long>(report.changed),
              static_cast<unsigned long long>(report.removed),
              static_cast<unsigned long long>(report.opened));
  if (report.reread) {
    std::printf("  every file read again: this version of iphone-photo-dedup reads files differently\n");
  }
  if (report.one_at_a_time) {
    std::printf(
        "  read one file at a time: the inputs are on a spinning disk (--jobs N reads in parallel)\n");
  }
  std::printf("  %s\n", report.same_filesystem
                            ? "all inputs are on one filesystem"
                            : "inputs span several filesystems: hard links cannot cover them all");

  const bool changed = report.added + report.changed + report.removed > 0;
  plan_options.one_at_a_time = report.one_at_a_time;
  if (const auto plan = refresh_plan(*catalog, plan_options, changed)) {
    print_plan(*plan, verbose);
    print_passes(report, &*plan);
  } else {
    std::printf("the view is up to date\n");
    print_passes(report, nullptr);
  }
  print_decision_notes(*catalog);
  if (!report.errors.empty()) {
    std::printf("%zu file%s had errors (listed above)\n", report.errors.size(),
                report.errors.size() == 1 ? "" : "s");
    return k_exit_file_errors;
  }
  return k_exit_ok;
}

} // namespace ipd::tools
