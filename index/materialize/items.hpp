// The view as materialize reads it: one Item per view file, in view-path order, with the facts
// of its input from one lstat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <time.h>
#include <vector>

namespace ipd::materialize_detail {

// Strings kept for the life of a run in a few large blocks: views into them stay valid, each is
// followed by a NUL (a C string for the system calls), and a large view costs few page faults.
class Strings {
public:
  std::string_view keep(std::string_view text);

private:
  std::vector<std::string> m_blocks;
};

// The facts of an input that materialize uses, from its lstat.
struct Source {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  timespec mtime{};
  mode_t mode = 0;
};

// One file of the view; the strings are in the run's Strings, NUL-terminated.
struct Item {
  std::string_view path;
  std::string_view source;  // empty for a generated file
  std::string_view content; // of a generated file (README.txt)
  bool generated = false;
  std::uint64_t size = 0;    // of the input, as indexed
  std::int64_t mtime_ns = 0; // likewise
  Source src;
  int src_err = 0;      // errno of the input's lstat; ENODATA: not a regular file
  bool changed = false; // since the last index
};

// True when `item` can be made: it is generated, or its input's lstat found a regular file.
inline bool input_ok(const Item& item) { return item.generated || item.src_err == 0; }

// A view path that stays inside OUTDIR and is not the manifest's (nor its journal's).
bool safe_path(std::string_view path);

// Fills item.src (or item.src_err); true when the input changed since it was indexed.
bool stat_input(Item& item);

// Why the input of `item` cannot be placed (its src_err), as a line for the report.
std::string input_problem(const Item& item);

// True when `items` (in path order) hold a file at `path`.
bool in_view(const std::deque<Item>& items, std::string_view path);

} // namespace ipd::materialize_detail
