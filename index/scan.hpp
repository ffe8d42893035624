// The walk: every entry under the input roots, stat'ed, never following a symlink.
#pragma once

#include "record.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipd {

struct ScanResult {
  std::vector<FileRecord> files; // sorted by path; only stat fields, root and kind set
  bool same_filesystem = true;   // every file on one filesystem (hard links need it)
};

// A directory the walk must not enter (the catalog when it lies under a root).
struct ScanExclude {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
};

// Resolves the roots to absolute canonical paths, drops roots that lie inside another root
// (noting it in `notes`), and throws Fatal when a root does not exist or is not a directory.
std::vector<std::string> resolve_roots(const std::vector<std::filesystem::path>& roots,
                                       std::vector<std::string>& notes);

// Walks `roots` (as resolve_roots returns them). Regular files get their stat; a symlink is
// recorded (kind symlink, its target) and not followed; a directory that cannot be read, or a
// special file, is recorded with its error. Directories are opened with O_NOATIME.
ScanResult scan_roots(const std::vector<std::string>& roots, const ScanExclude& exclude);

} // namespace ipd
