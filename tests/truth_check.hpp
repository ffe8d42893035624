// The plan of a messy library against its ground truth: what `list --json` says of every file
// beside what tests/messy_library.hpp says the plan's rules must make of it. Used by the
// journey test and by scripts/bench (ipd_check_truth).
#pragma once

#include "tests/messy_library.hpp"
#include "tests/support/json_lines.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ipd::test {

struct PlanCheck {
  std::size_t files = 0;
  std::size_t listed = 0;
  std::size_t lost = 0;
  std::size_t twice = 0;
  std::size_t role_wrong = 0;
  std::size_t false_merges = 0;
  std::size_t keepers_right = 0;
  std::size_t captures = 0;
  std::size_t companions_right = 0;
  std::size_t companions = 0;
  std::size_t routed_right = 0; // unknown-time and other
  std::size_t routed = 0;
  std::map<std::string, std::pair<std::size_t, std::size_t>> recall; // made_as -> found, expected
  std::vector<std::string> wrong;                                    // one line per file got wrong
  std::map<std::string, JsonObject> plan;            // relative source -> its line of list --json
  std::map<std::string, std::string> source_of_view; // view path -> relative source

  // Everything as the truth says: no file lost or listed twice, no false merge, every role,
  // keeper and companion right, 100 % recall of every kind of copy.
  bool passed() const;
  // The figures, a line each, and the first `max_wrong` files got wrong.
  std::string report(std::size_t max_wrong = 40) const;
};

// Compares `list_json` (the output of `list --json`) with `truth`; `prefix` is the library
// root as the catalog names it, ending in '/'. Throws std::runtime_error on a line that is not
// a flat JSON object or names a file outside the root.
PlanCheck check_plan(const MessyTruth& truth, const std::string& list_json, const std::string& prefix);

// Reads what write_truth_tsv wrote; throws std::runtime_error when it cannot.
MessyTruth read_truth_tsv(const std::filesystem::path& file);

} // namespace ipd::test
