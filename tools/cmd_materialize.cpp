// iphone-photo-dedup materialize OUTDIR [--catalog DIR] [--mode hardlink|reflink|copy|symlink] [--dry-run]
#include "command.hpp"
#include "progress.hpp"

#include "index/core/text.hpp"
#include "index/materialize/materialize.hpp"
#include "index/view/json.hpp"

#include <cstdio>

namespace ipd::tools {

namespace {

const char* mode_words(MaterializeMode mode) {
  switch (mode) {
  case MaterializeMode::hardlink: return "hard links";
  case MaterializeMode::reflink: return "reflinks";
  case MaterializeMode::copy: return "copies";
  case MaterializeMode::symlink: return "symbolic links";
  }
  return "";
}

unsigned long long ull(std::uint64_t n) { return static_cast<unsigned long long>(n); }

} // namespace

namespace {

// Every error, but a run of errors with one cause (a full disk fails every file after the first)
// as its first file and a count.
void print_errors(const std::vector<MaterializeIssue>& errors) {
  for (std::size_t i = 0; i < errors.size();) {
    std::size_t same = i + 1;
    while (same < errors.size() && errors[same].what == errors[i].what) {
      ++same;
    }
    std::fprintf(stderr, "error: %s: %s\n", display_path(errors[i].path).c_str(), errors[i].what.c_str());
    if (same - i > 3) {
      std::fprintf(stderr, "error: and %zu more files, for the same reason (%s)\n", same - i - 1,
                   errors[i].what.c_str());
    } else {
      for (std::size_t k = i + 1; k < same; ++k) {
        std::fprintf(stderr, "error: %s: %s\n", display_path(errors[k].path).c_str(), errors[k].what.c_str());
      }
    }
    i = same;
  }
}

} // namespace

int cmd_materialize(Args args) {
  const auto dir = catalog_dir(args);
  MaterializeOptions options;
  if (auto mode = args.value("--mode")) {
    const auto parsed = parse_materialize_mode(*mode);
    if (!parsed) {
      throw UsageError("--mode takes hardlink, reflink, copy or symlink, not '" + *mode + "'");
    }
    options.mode = *parsed;
  }
  options.dry_run = args.flag("--dry-run");
  const auto positional = args.finish();
  if (positional.size() != 1) {
    throw UsageError("name one OUTDIR");
  }
  const std::filesystem::path outdir = positional[0];
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);

  const MaterializeReport report = [&] {
    const ProgressBar bar("materializing");
    options.progress = bar.callback();
    return materialize(*catalog, outdir, options);
  }();

  for (const auto& step : report.planned) {
    std::printf("would %s %s\n", step.what.c_str(), display_path(step.path).c_str());
  }
  for (const auto& note : report.notes) {
    std::fprintf(stderr, "note: %s: %s\n", display_path(note.path).c_str(), note.what.c_str());
  }
  for (const auto& kept : report.kept) {
    std::fprintf(stderr, "kept: %s: %s\n", display_path(kept.path).c_str(), kept.what.c_str());
  }
  for (const auto& conflict : report.conflicts) {
    std::fprintf(stderr, "conflict: %s: %s\n", display_path(conflict.path).c_str(), conflict.what.c_str());
  }
  print_errors(report.errors);
  const std::string where = display_path(outdir.string());
  std::printf("%s %llu view files into %s as %s in %.2f s (view and inputs %.2f s, tree %.2f s, "
              "manifest %.2f s)\n",
              options.dry_run ? "dry run (nothing changed) for" : "materialized", ull(report.files),
              where.c_str(), mode_words(options.mode), report.seconds, report.view_seconds,
              report.tree_seconds, report.manifest_seconds);
  const char* to_be = options.dry_run ? "to be " : "";
  const std::uint64_t not_made = report.files - std::min(report.files, report.made + report.already);
  std::printf("  %llu %smade, %llu already there, %llu not made, %llu %sremoved (left the view), %zu "
              "conflicts, %zu errors\n",
              ull(report.made), to_be, ull(report.already), ull(options.dry_run ? 0 : not_made),
              ull(report.removed), to_be, report.conflicts.size(), report.errors.size());
  if (report.replaced) {
    std::printf(
        "  of those made, %llu replaced earlier files of this tool that the view now wants otherwise\n",
        ull(report.replaced));
  }
  if (!report.kept.empty()) {
    std::printf("  %zu files left the view but were kept: the last copies of inputs that are gone (listed)\n",
                report.kept.size());
  }
  if (!report.conflicts.empty()) {
    std::printf("conflicts (listed above) were left untouched: move them away and run again\n");
  }
  return report.conflicts.empty() && report.errors.empty() ? k_exit_ok : k_exit_file_errors;
}

} // namespace ipd::tools
