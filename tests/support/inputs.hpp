// Snapshots of input files, to prove that a run left them exactly as they were.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ipd::test {

struct FileState {
  std::string content;
  std::int64_t mtime_ns = 0;
  std::int64_t atime_ns = 0;
  std::uint64_t ino = 0;
  bool operator==(const FileState&) const = default;
};

// Every regular file under `root` (symlinks not followed), read with O_NOATIME.
std::map<std::string, FileState> snapshot_inputs(const std::filesystem::path& root);

// What differs between two snapshots, a line per file: "PATH: gone", "PATH: new", or the first
// of content, mtime, atime, inode that changed. Empty when the inputs are as they were.
std::vector<std::string> input_changes(const std::map<std::string, FileState>& before,
                                       const std::map<std::string, FileState>& after);

// Sets every regular file's atime well before its mtime, so that under `relatime` any plain
// read would update it: a test of "atime unchanged" can then fail.
void age_atimes(const std::filesystem::path& root);

} // namespace ipd::test
