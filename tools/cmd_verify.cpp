// iphone-photo-dedup verify OUTDIR [--catalog DIR]
//
// "May I delete my inputs now?" for a tree materialize made: read-only, exit status 0 only when
// both the input folders and duplicates/ may go.
#include "command.hpp"
#include "progress.hpp"

#include "index/core/text.hpp"
#include "index/materialize/verify.hpp"
#include "index/read/scan.hpp"
#include "index/view/view.hpp"

#include <cstdio>
#include <sys/stat.h>

namespace ipd::tools {

namespace {

unsigned long long ull(std::uint64_t n) { return static_cast<unsigned long long>(n); }

// Every regular file under the roots of the last index that still exist (a deleted root is
// noted), and every folder the walk could not read.
void walk_inputs(const Catalog& catalog, VerifyOptions& options) {
  std::vector<std::string> roots;
  for (const auto& root : catalog_roots(catalog)) {
    struct stat st {};
    if (::stat(root.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      roots.push_back(root);
    } else {
      std::printf("note: the input root %s is gone\n", display_path(root).c_str());
    }
  }
  ScanExclude exclude;
  struct stat st {};
  if (::stat(catalog.dir().c_str(), &st) == 0) {
    exclude = {st.st_dev, st.st_ino};
  }
  for (auto& entry : scan_roots(roots, exclude).files) {
    if (entry.kind == Kind::dir && !entry.error.empty()) {
      options.unread.push_back({entry.path, entry.error + ": the files in it are not in the view"});
    } else if (S_ISREG(entry.mode) && entry.kind == Kind::other && entry.error.empty()) {
      options.inputs_now.push_back(std::move(entry.path));
    }
  }
}

void print_blockers(const std::vector<VerifyIssue>& blockers) {
  for (const auto& b : blockers) {
    std::printf("   blocks: %s: %s\n", display_path(b.path).c_str(), b.what.c_str());
  }
}

} // namespace

int cmd_verify(Args args) {
  const auto dir = catalog_dir(args);
  const auto positional = args.finish();
  if (positional.size() != 1) {
    throw UsageError("name one OUTDIR, a tree that materialize made");
  }
  const std::filesystem::path outdir = positional[0];
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  VerifyOptions options;
  walk_inputs(*catalog, options);
  const auto progress = stderr_progress();
  options.progress = progress->callback("verifying");
  const VerifyReport r = verify(*catalog, outdir, options);

  for (const auto& note : r.notes) {
    std::printf("note: %s%s%s\n", display_path(note.path).c_str(), note.path.empty() ? "" : ": ",
                note.what.c_str());
  }
  std::printf("checked %s against the view in %.2f s (%llu copies compared byte for byte, %.1f MB read)\n",
              display_path(outdir.string()).c_str(), r.seconds, ull(r.compared), r.bytes_read / 1e6);
  if (r.inputs_safe()) {
    std::printf("1. safe to delete the input folders? yes: all %llu keepers, companions, raw-sidecars, "
                "unknown-time and other files are held in OUTDIR\n",
                ull(r.originals));
  } else {
    std::printf("1. safe to delete the input folders? no: %llu of %llu keepers, companions, raw-sidecars, "
                "unknown-time and other files are held in OUTDIR; %zu problems would lose data:\n",
                ull(r.originals_held), ull(r.originals), r.input_blockers.size());
    print_blockers(r.input_blockers);
  }
  if (r.duplicates_safe()) {
    std::printf("2. safe to delete duplicates/? yes: the keepers of all %llu duplicates stand in OUTDIR with "
                "their bytes\n",
                ull(r.duplicates));
  } else {
    std::printf(
        "2. safe to delete duplicates/? no: %llu of %llu duplicates have their keeper held in OUTDIR; "
        "these do not:\n",
        ull(r.duplicates_covered), ull(r.duplicates));
    print_blockers(r.duplicate_blockers);
  }
  return r.inputs_safe() && r.duplicates_safe() ? k_exit_ok : k_exit_file_errors;
}

} // namespace ipd::tools
