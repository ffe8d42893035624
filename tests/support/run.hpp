// Runs the real iphone-photo-dedup binary, as a user would, and captures what it prints.
#pragma once

#include <string>
#include <vector>

namespace ipd::test {

struct RunResult {
  int status = -1; // exit status; 128 + signal when killed by one
  std::string out;
  std::string err;
};

struct RunAs {
  unsigned uid = 0; // 0: as the current user; else drop to this uid and gid first (needs root)
};

// Runs the built binary with `args`, in `cwd` when not empty.
RunResult run_tool(const std::vector<std::string>& args, const std::string& cwd = {}, RunAs as = {});

// Runs `argv` (argv[0] the program's path) as run_tool does, its stdin on /dev/null.
RunResult run_program(const std::vector<std::string>& argv, const std::string& cwd = {}, RunAs as = {});

// Starts `argv` (argv[0] the program's path) in `cwd` when not empty, its standard streams on
// /dev/null, and returns at once with its pid (for the caller to kill and wait for).
int start_program(const std::vector<std::string>& argv, const std::string& cwd = {});

} // namespace ipd::test
