// verify: "may I delete my inputs now?" for a tree materialize made (docs/DESIGN.md §8). It
// reads the catalog's view, the tree's manifest and the files, and writes nothing.
//
//   view (catalog) ──► each view file: its input's lstat (gone? changed since the index?)
//                  ──► its path in OUTDIR: the input's inode (a hard link), or the input's bytes
//                      (a copy or a reflink: hashed, against the catalog's hash where it has one);
//                      a file whose input is gone: the manifest's record of what was made there
//   answers: 1. the input folders may go when every keeper, companion, raw-sidecar,
//               unknown-time and other file is held in OUTDIR (a symlink holds nothing), and
//               no input is new or changed since the last index;
//            2. duplicates/ may go when every duplicate's keeper is held in the main tree.
#pragma once

#include "index/catalog/catalog.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ipd {

// A view path (or an input path, for inputs the view lacks) and what holds it up, or is noted.
struct VerifyIssue {
  std::string path;
  std::string what;
};

struct VerifyOptions {
  // Every regular file under the input roots now, from the caller's walk (read/scan.hpp): one
  // that the catalog does not know is new since the last index, and holds up the inputs.
  std::vector<std::string> inputs_now;
  // What that walk could not read (a folder): each holds up the inputs too.
  std::vector<VerifyIssue> unread;
  // Called now and then, from one thread at a time, with the view files checked so far and
  // their total.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct VerifyReport {
  // 1. May the input folders be deleted?
  std::uint64_t originals = 0;             // view files that are not duplicates (README.txt aside)
  std::uint64_t originals_held = 0;        // of them, held in OUTDIR
  std::vector<VerifyIssue> input_blockers; // each file (or input) that would be lost, and why
  // 2. May duplicates/ be deleted?
  std::uint64_t duplicates = 0;         // duplicates in the view
  std::uint64_t duplicates_covered = 0; // of them, with their keeper held in OUTDIR's main tree
  std::vector<VerifyIssue> duplicate_blockers;
  std::vector<VerifyIssue> notes; // inputs gone but held, duplicates/ already deleted, a journal
  std::uint64_t compared = 0;     // files of OUTDIR compared by their bytes (copies, reflinks)
  std::uint64_t bytes_read = 0;   // to compare them, of OUTDIR and of the inputs
  double seconds = 0;

  bool inputs_safe() const { return input_blockers.empty(); }
  bool duplicates_safe() const { return duplicate_blockers.empty(); }
};

// Checks the tree in `outdir` against the view of `catalog`. Opens files read-only with
// O_NOATIME (folders O_PATH), follows no symlink inside OUTDIR, and writes nothing. Throws Fatal
// when the catalog has no view, or `outdir` is not a folder holding a manifest of materialize.
VerifyReport verify(const Catalog& catalog, const std::filesystem::path& outdir,
                    const VerifyOptions& options);

} // namespace ipd
