// The walk: every entry under the input roots, stat'ed, never following a symlink.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipd {

// What the walk learns of one entry: its stat, and for a symlink its target.
struct ScanEntry {
  std::string path;
  std::string link_target;
  std::string error;       // a directory that cannot be read, a special file, ...
  Kind kind = Kind::other; // other (regular or special file), symlink or dir
  std::uint32_t root = 0;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint32_t mode = 0;
  std::uint32_t nlink = 0;
};

struct ScanResult {
  std::vector<ScanEntry> files; // sorted by path (bytewise)
  bool same_filesystem = true;  // every file on one filesystem (hard links need it)
};

// A file record holding what the walk found (to be read, or kept as is for a symlink).
FileRecord to_record(const ScanEntry& entry);

// A directory the walk must not enter (the catalog when it lies under a root).
struct ScanExclude {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
};

// Resolves the roots to absolute canonical paths, drops roots that lie inside another root
// (noting it in `notes`), and throws Fatal when a root does not exist or is not a directory.
std::vector<std::string> resolve_roots(const std::vector<std::filesystem::path>& roots,
                                       std::vector<std::string>& notes);

// Drops from `roots` (absolute, canonical, sorted) every root that lies inside another, noting
// it in `notes`.
std::vector<std::string> outermost_roots(std::vector<std::string> roots, std::vector<std::string>& notes);

// Walks `roots` (as resolve_roots returns them), but for those whose `skip` is true; each file's
// root is its root's index in `roots`. Regular files get their stat; a symlink is recorded (kind
// symlink, its target) and not followed; a directory that cannot be read, or a special file, is
// recorded with its error. Directories are opened with O_NOATIME.
ScanResult scan_roots(const std::vector<std::string>& roots, const ScanExclude& exclude,
                      const std::vector<bool>& skip = {});

} // namespace ipd
