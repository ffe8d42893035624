// materialize: the view written out as a real tree — hard links by default (no extra space),
// else reflinks, copies or symlinks — idempotent, resumable, and never overwriting a file it
// did not make (docs/DESIGN.md §8).
//
// The manifest of what it made lives in OUTDIR itself, in k_manifest_name (path, kind, source,
// and the dev/ino/size/mtime of the output as made), rewritten atomically at the end of each
// run. During a run, before each batch of files is made, the batch is appended to the journal
// beside it; a run that is killed leaves the journal, and the next run takes from it every path
// that holds exactly what the journal says was about to be made there.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/placement.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipd {

enum class MaterializeMode : std::uint8_t { hardlink, reflink, copy, symlink };

std::string_view mode_name(MaterializeMode mode); // "hardlink", "reflink", "copy", "symlink"
std::optional<MaterializeMode> parse_materialize_mode(std::string_view name);

// The manifest of what materialize made is k_manifest_name at the top of OUTDIR
// (core/placement.hpp); its journal adds ".journal".

struct MaterializeOptions {
  MaterializeMode mode = MaterializeMode::hardlink;
  bool dry_run = false; // report what would be done; change nothing (OUTDIR is not even made)
  // Called now and then with the view files handled so far and their total.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
  // For tests that kill a run part-way (tests/materialize_paused.cpp): sleep this long after
  // each file made. The command never sets it.
  std::chrono::milliseconds pause{0};
};

// A view path and what is wrong with it, or what is there.
struct MaterializeIssue {
  std::string path;
  std::string what;
};

struct MaterializeReport {
  std::uint64_t files = 0;    // files in the view (README.txt included)
  std::uint64_t made = 0;     // made in this run (replacements included)
  std::uint64_t replaced = 0; // of them: earlier files of this tool that no longer matched the view
  std::uint64_t already = 0;  // paths that already held the right file
  std::uint64_t removed = 0;  // files it made earlier that left the view
  std::uint64_t dirs_made = 0;
  // Paths that hold something this tool did not make (or a last copy it must keep): untouched.
  std::vector<MaterializeIssue> conflicts;
  std::vector<MaterializeIssue> errors; // paths that could not be made
  // Files made earlier that left the view but stay: their input is gone and they are the last copy.
  std::vector<MaterializeIssue> kept;
  std::vector<MaterializeIssue> notes; // inputs changed since the last index (made all the same)
  // Dry run only: {path, "make" | "replace" | "remove"}, in the order they would happen.
  std::vector<MaterializeIssue> planned;
  double seconds = 0;
  // Of them: reading the view with the inputs' lstat (overlapped); the tree (checks, earlier
  // manifest and removals included); the final clean-up and the manifest.
  double view_seconds = 0;
  double tree_seconds = 0;
  double manifest_seconds = 0;
};

// Writes the view of `catalog` into `outdir` (made when missing, with its parents): every view
// path becomes a link to (or a copy of) its input, README.txt is written from the view. A path
// that already holds the right file is left alone; one that holds anything this tool did not
// make is never changed (a conflict); files it made earlier that left the view are removed —
// unless that would delete the last copy of an input that is gone. Inputs are only read
// (O_NOATIME) or linked. Throws Fatal, before writing anything, when the catalog has no view,
// `outdir` is not a folder, lies inside an input root (or holds one), is on another filesystem
// than some inputs in hardlink mode (naming those roots), cannot reflink in reflink mode, or is
// being written by another materialize.
MaterializeReport materialize(const Catalog& catalog, const std::filesystem::path& outdir,
                              const MaterializeOptions& options);

} // namespace ipd
