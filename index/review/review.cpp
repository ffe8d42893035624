#include "index/review/review.hpp"

#include "index/core/error.hpp"
#include "index/core/paths.hpp"
#include "index/review/pages.hpp"
#include "index/review/thumbnails.hpp"
#include "index/view/view.hpp"

#include <chrono>
#include <set>

namespace ipd::review {

namespace {

namespace fs = std::filesystem;

std::string canonical_text(const fs::path& path) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(path), ec).string();
}

// DIR neither inside an input root (the next index would read the pages as inputs) nor holding
// one, nor inside the catalog (index --rebuild would delete it) or holding it.
void check_dir(const Catalog& catalog, const fs::path& dir) {
  const std::string out = canonical_text(dir);
  for (const auto& root : catalog_roots(catalog)) {
    if (is_inside(out, root) || is_inside(root, out)) {
      throw Fatal(dir.string() +
                  (is_inside(out, root) ? " lies inside the input root " : " holds the input root ") + root +
                  ": review writes only outside the inputs; choose another folder");
    }
  }
  const std::string catalog_dir = canonical_text(catalog.dir());
  if (is_inside(out, catalog_dir) || is_inside(catalog_dir, out)) {
    throw Fatal(dir.string() + (is_inside(out, catalog_dir) ? " lies inside" : " holds") + " the catalog " +
                catalog_dir + ": choose a folder apart from it");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Fatal("cannot make the folder " + dir.string() +
                (ec ? ": " + ec.message() : ": it is not a folder"));
  }
}

// The files whose previews the pages show: every file of an item that has a card.
std::vector<std::size_t> shown_files(const Model& m) {
  std::set<std::size_t> files(m.unknown_time.begin(), m.unknown_time.end());
  for (const Capture& c : m.captures) {
    files.insert(c.keeper);
    files.insert(c.members.begin(), c.members.end());
  }
  for (const LivePair& l : m.live) {
    files.insert({l.still, l.movie});
  }
  for (const NearMissItem& n : m.near_misses) {
    for (const std::size_t i : {n.a, n.b}) {
      if (i != k_no_file) {
        files.insert(i);
      }
    }
  }
  return {files.begin(), files.end()};
}

} // namespace

Report write_review(const Catalog& catalog, const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  require_complete_view(catalog);
  check_dir(catalog, options.dir);
  Model model;
  {
    ProgressPass pass(options.progress, "reading the catalog", 0);
    model = read_model(catalog);
  }
  const PreviewReport previews = make_previews(model, shown_files(model), options.dir, options.progress);
  const CardContext ctx{model, previews, options.catalog_words, ""};
  Report report;
  report.pages = write_pages(ctx, options.dir, options.progress);
  for (std::size_t i = 0; i < model.files.size(); ++i) {
    if (previews.previews[i].read_error) {
      report.errors.push_back({model.files[i].record.path, previews.previews[i].note});
    }
  }
  report.counts = model.counts;
  report.captures = model.captures.size();
  report.near_misses = model.near_misses.size();
  report.live = model.live.size();
  report.decisions = model.decisions.size();
  report.previews_made = previews.made;
  report.previews_reused = previews.reused;
  report.previews_removed = previews.removed;
  report.previews_failed = previews.failed;
  report.bytes_read = previews.bytes_read;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

} // namespace ipd::review
