// The indexer: from input roots to an up-to-date catalog of every file's facts.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/progress.hpp"
#include "index/core/record.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ipd {

class Sniffer;

// How the read pass reads: one file at a time in inode order when the inputs are on a spinning
// disk (automatic), else many files at once with reads ahead; `parallel` always does the latter.
enum class ReadOrder { automatic, parallel };

struct IndexOptions {
  // Folders to add to the catalog's roots (which add up: every run reads all of them).
  std::vector<std::filesystem::path> roots;
  // Roots to remove from the catalog, with their files' records.
  std::vector<std::filesystem::path> forget;
  ReadOrder order = ReadOrder::automatic;
  std::filesystem::path sysfs = "/sys"; // where the disks say whether they spin (tests fake it)
  Progress* progress = nullptr;         // told of the read pass (files and bytes), when not null
};

// The version of what the readers take from a file. Raised when they learn to read files
// differently (a time tag trusted or not, a new completeness rule): the records of a catalog read
// by another version are stale, so its next index reads every file once more.
constexpr int k_readers_version = 3; // 3: damaged photos, error words, OriginalRawFileName

struct IndexReport {
  std::vector<std::string> roots;       // the catalog's roots after the run: absolute, canonical
  std::vector<std::string> added_roots; // of them, new in this run
  std::vector<std::string> missing;     // of them, not there now (an unplugged disk?): files kept
  std::vector<std::string> forgotten;   // roots removed in this run
  std::uint64_t kept_missing = 0;       // records kept because their root is missing
  std::vector<std::string> notes;       // roots dropped for lying inside another, ...
  std::uint64_t files = 0;              // entries in the catalog after the run
  std::uint64_t unchanged = 0;          // reused without opening the file
  std::uint64_t added = 0;
  std::uint64_t changed = 0;
  std::uint64_t removed = 0;
  bool reread = false;      // the records were read by another version of the readers: all read again
  std::uint64_t opened = 0; // input files opened during the run
  bool same_filesystem = true;
  bool one_at_a_time = false;     // the inputs are on a spinning disk: files were read one at a time
  std::vector<FileRecord> errors; // every record with an error, in path order
  double scan_seconds = 0;
  double read_seconds = 0;
};

// Brings `catalog` up to date with its roots, to which `options.roots` are added and from which
// `options.forget` are removed:
//   1. walk: stat every entry of every root that is there (scan_roots); a root that is missing
//      is reported and its records kept
//   2. compare with the catalog by path: a file whose dev, inode, size, mtime and ctime are
//      unchanged keeps its record and is not opened (unless the records were read by another
//      version of the readers); records of vanished files are deleted
//   3. read the new and changed files in parallel (read_file), writing batches as they finish
//   4. record the roots, the filesystem check and the run's figures in the catalog's meta
// Throws Fatal for a missing root or a catalog error; a problem with one file is on its record.
IndexReport run_index(Catalog& catalog, const IndexOptions& options);

// Reads one file's type, completeness and metadata into `record` (whose path and stat fields
// the walk set). Opens the file read-only with O_NOATIME, maps it, never writes to it.
// Returns whether the file could be opened (else the reason is the record's error).
bool read_file(FileRecord& record, Sniffer& sniffer);

} // namespace ipd
