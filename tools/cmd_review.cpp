// iphone-photo-dedup review DIR [--catalog DIR] [--jobs N]
//
// An offline HTML page of the plan's decisions, with previews: DIR/index.html.
#include "command.hpp"
#include "progress.hpp"

#include "index/core/text.hpp"
#include "index/review/review.hpp"

#include <oneapi/tbb/global_control.h>

#include <cstdio>
#include <optional>

namespace ipd::tools {

namespace {

unsigned long long ull(std::uint64_t n) { return static_cast<unsigned long long>(n); }

void print_report(const review::Report& r, const std::filesystem::path& dir) {
  for (const auto& e : r.errors) {
    std::fprintf(stderr, "error: %s: %s\n", display_path(e.path).c_str(), e.what.c_str());
  }
  std::printf(
      "wrote %s: %llu files, %zu captures with copies, %zu near misses, %zu Live Photos, %zu decisions\n",
      display_path((dir / "index.html").string()).c_str(), ull(r.counts.files), r.captures, r.near_misses,
      r.live, r.decisions);
  std::printf("  previews: %llu made, %llu already made, %llu no longer shown removed", ull(r.previews_made),
              ull(r.previews_reused), ull(r.previews_removed));
  if (r.previews_failed) {
    std::printf(", %llu pictures could not be decoded (the page says why)", ull(r.previews_failed));
  }
  std::printf("; %.1f MB read; %zu pages in %.2f s\n", r.bytes_read / 1e6, r.pages, r.seconds);
  if (!r.errors.empty()) {
    std::printf("%zu file%s could not be read (listed above)\n", r.errors.size(),
                r.errors.size() == 1 ? "" : "s");
  }
}

} // namespace

int cmd_review(Args args) {
  const auto named = args.value("--catalog");
  const std::filesystem::path catalog_path = named.value_or(std::string(k_default_catalog));
  review::Options options;
  // Threads for the previews, set once for the whole run.
  std::optional<tbb::global_control> threads;
  if (auto jobs = args.value("--jobs")) {
    if (const unsigned n = parse_unsigned("--jobs", *jobs); n > 0) {
      threads.emplace(tbb::global_control::max_allowed_parallelism, n);
    }
  }
  const auto positional = args.finish();
  if (positional.size() != 1) {
    throw UsageError("name one DIR to write the review in");
  }
  options.dir = positional[0];
  if (named) {
    // The page's commands name the catalog as this run did, from wherever they are pasted.
    std::error_code ec;
    options.catalog_words =
        " --catalog " + shell_word(std::filesystem::absolute(catalog_path, ec).lexically_normal().string());
  }
  auto catalog = Catalog::open(catalog_path, Catalog::Access::read_only);
  auto progress = stderr_progress();
  options.progress = progress.get();
  const review::Report report = review::write_review(*catalog, options);
  progress.reset();
  print_report(report, options.dir);
  return report.errors.empty() ? k_exit_ok : k_exit_file_errors;
}

} // namespace ipd::tools
