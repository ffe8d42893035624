// iphone-photo-dedup keep PATH... | apart PATH... | together PATH PATH... | forget PATH...
//                    [--catalog DIR] [--wait]
//
// Each records (or drops) the user's decisions in the catalog, keyed by the files' contents,
// and re-plans the view at once from the kept hashes and fingerprints; a running mount shows the
// new view within a second (docs/DESIGN.md §6).
#include "command.hpp"
#include "decide.hpp"
#include "lookup.hpp"

#include "index/core/error.hpp"
#include "index/core/text.hpp"
#include "index/view/decisions.hpp"
#include "index/view/view.hpp"

#include <cstdio>
#include <filesystem>
#include <set>
#include <sys/stat.h>

namespace ipd::tools {

namespace {

struct Named {
  std::string path; // as the user wrote it
  FileRecord record;
  ContentKey content;
};

// Why `record` cannot carry `verdict`, or empty when it can.
std::string refusal(const FileRecord& record, Verdict verdict) {
  if (!S_ISREG(record.mode) || (record.kind != Kind::still && record.kind != Kind::movie)) {
    return "not a photo or video (decisions name photos and videos; sidecars follow theirs)";
  }
  if (!record.error.empty()) {
    return "could not be read when indexed: " + record.error;
  }
  if (verdict == Verdict::together && !record.capture.known()) {
    return "has no capture time: it stays in unknown_time/ (`together` joins photos and videos that have "
           "one)";
  }
  return {};
}

// The files `paths` name, each an input photo or video of the catalog with its content. Throws
// Fatal, naming every path that is not, before anything is recorded.
std::vector<Named> resolve(const Catalog& catalog, const std::vector<std::string>& paths, Verdict verdict) {
  std::vector<Named> out;
  std::string problems;
  for (const auto& path : paths) {
    std::string why;
    const auto placement = find_placement(catalog, path);
    auto record = placement ? catalog.file(placement->source) : std::nullopt;
    if (!record) {
      why = "neither an input file nor a path in the view of this catalog";
    } else if (why = refusal(*record, verdict); why.empty()) {
      if (const auto content = content_key_of(*record, why)) {
        out.push_back({path, std::move(*record), *content});
      }
    }
    if (!why.empty()) {
      problems += "\n  " + display_path(path) + ": " + why;
    }
  }
  if (!problems.empty()) {
    throw Fatal("nothing was recorded:" + problems);
  }
  return out;
}

// `together` needs two contents of one kind.
void check_together(const std::vector<Named>& named) {
  std::set<ContentKey> contents;
  for (const auto& n : named) {
    contents.insert(n.content);
    if (n.record.kind != named.front().record.kind) {
      throw Fatal(
          "nothing was recorded: " + display_path(named.front().path) + " and " + display_path(n.path) +
          " are a photo and a movie, never one capture (a Live Photo movie finds its still by itself)");
    }
  }
  if (contents.size() < 2) {
    throw Fatal("nothing was recorded: these files are byte copies of one another, one capture already");
  }
}

// Opens the catalog for a decision (waiting for another writer with --wait); it must have a view.
std::unique_ptr<Catalog> open_for_decisions(const std::filesystem::path& dir, Catalog::Wait wait) {
  Catalog::open(dir,
                Catalog::Access::read_only); // a missing catalog is not made: it has nothing to decide on
  auto catalog = Catalog::open(dir, Catalog::Access::read_write, wait);
  require_complete_view(*catalog);
  return catalog;
}

// Re-plans with the decisions now in the catalog and prints where each file of `paths` is now.
void replan(Catalog& catalog, const std::vector<std::string>& sources) {
  if (const auto plan = refresh_plan(catalog, view_options(catalog), false)) {
    std::printf("re-planned in %.2f s from the kept hashes and fingerprints (%llu files hashed, %llu "
                "fingerprints computed)\n",
                plan->stats.seconds, static_cast<unsigned long long>(plan->stats.hashed),
                static_cast<unsigned long long>(plan->stats.fingerprinted));
  }
  for (const auto& source : sources) {
    if (const auto p = placement_of(catalog, source)) {
      std::printf("  %-12s %s\n  %-12s   -> %s\n", std::string(role_name(p->role)).c_str(),
                  display_path(source).c_str(), "", display_path(p->view).c_str());
    }
  }
  print_decision_notes(catalog);
}

int decide(Args args, Verdict verdict) {
  const auto dir = catalog_dir(args);
  const auto wait = args.flag("--wait") ? Catalog::Wait::yes : Catalog::Wait::no;
  const auto paths = args.finish();
  const std::size_t least = verdict == Verdict::together ? 2 : 1;
  if (paths.size() < least) {
    throw UsageError(least == 2 ? "name two files at least" : "name at least one file");
  }
  auto catalog = open_for_decisions(dir, wait);
  const std::vector<Named> named = resolve(*catalog, paths, verdict);
  if (verdict == Verdict::together) {
    check_together(named);
  }
  std::vector<FileRecord> records;
  std::vector<ContentKey> contents;
  std::vector<std::string> sources;
  for (const auto& n : named) {
    records.push_back(n.record);
    contents.push_back(n.content);
    sources.push_back(n.record.path);
  }
  const auto made = record_decisions(*catalog, verdict, records, contents, decision_clock());
  for (const auto& d : made) {
    std::printf("%s: %s (recorded %s)\n", std::string(verdict_name(d.verdict)).c_str(),
                display_path(d.path).c_str(), decision_date(d.made_ns).c_str());
  }
  replan(*catalog, sources);
  return k_exit_ok;
}

} // namespace

int cmd_keep(Args args) { return decide(std::move(args), Verdict::keep); }
int cmd_apart(Args args) { return decide(std::move(args), Verdict::apart); }
int cmd_together(Args args) { return decide(std::move(args), Verdict::together); }

int cmd_forget(Args args) {
  const auto dir = catalog_dir(args);
  const auto wait = args.flag("--wait") ? Catalog::Wait::yes : Catalog::Wait::no;
  const auto paths = args.finish();
  if (paths.empty()) {
    throw UsageError("name at least one file");
  }
  auto catalog = open_for_decisions(dir, wait);
  // A file among the inputs is forgotten by its content; any other path by the decisions made on
  // it (a file that was deleted or moved away since).
  std::vector<ContentKey> contents;
  std::vector<std::string> on_paths;
  std::vector<std::string> sources;
  for (const auto& path : paths) {
    const auto placement = find_placement(*catalog, path);
    auto record = placement ? catalog->file(placement->source) : std::nullopt;
    std::string error;
    if (record && record->content_hash != 0) {
      contents.push_back({record->size, record->content_hash});
    } else if (record) {
      if (const auto content = content_key_of(*record, error)) {
        contents.push_back(*content);
      }
    }
    if (record) {
      on_paths.push_back(record->path);
      sources.push_back(record->path);
    }
    on_paths.push_back(path);
    std::error_code ec;
    on_paths.push_back(std::filesystem::absolute(path, ec).lexically_normal().string());
  }
  const auto dropped = forget_decisions(*catalog, contents, on_paths);
  for (const auto& d : dropped) {
    std::printf("forgot %s, %s: %s\n", std::string(verdict_name(d.verdict)).c_str(),
                decision_date(d.made_ns).c_str(), display_path(d.path).c_str());
  }
  if (dropped.empty()) {
    std::printf("no decision names %s\n", paths.size() == 1 ? display_path(paths[0]).c_str() : "these files");
    return k_exit_file_errors;
  }
  replan(*catalog, sources);
  return k_exit_ok;
}

} // namespace ipd::tools
