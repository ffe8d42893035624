// Checks a plan against a messy library's ground truth (tests/truth_check.hpp):
//
//   iphone-photo-dedup list --json --catalog CAT | ipd_check_truth TRUTH.tsv ROOT
//
// ROOT is the library root as it was given to index. Prints the figures; exit status 0 when
// everything is as the truth says, 1 when not, 2 on bad input.
#include "tests/truth_check.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: iphone-photo-dedup list --json | ipd_check_truth TRUTH.tsv ROOT\n", stderr);
    return 2;
  }
  try {
    const auto truth = ipd::test::read_truth_tsv(argv[1]);
    std::ostringstream list;
    list << std::cin.rdbuf();
    const std::string prefix = std::filesystem::canonical(argv[2]).string() + "/";
    const auto check = ipd::test::check_plan(truth, list.str(), prefix);
    std::printf("plan against the truth (%zu files, %zu captures): %s\n%s", check.files, check.captures,
                check.passed() ? "as the truth says" : "NOT as the truth says", check.report(20).c_str());
    return check.passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipd_check_truth: %s\n", e.what());
    return 2;
  }
}
