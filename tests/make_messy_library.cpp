// Writes a messy photo library and its ground truth (see tests/messy_library.hpp):
//
//   ipd_make_messy_library OUTDIR [--captures N] [--corpus DIR] [--seed S] [--size WxH] [--jobs J]
//
// OUTDIR/library/... holds the files; OUTDIR/truth.tsv says, for each, the capture it was made
// from, the role the plan must give it and the keeper `list --json` must name.
#include "tests/messy_library.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <string>

int main(int argc, char** argv) {
  const char* usage = "usage: ipd_make_messy_library OUTDIR [--captures N] [--corpus DIR] [--seed S] [--size "
                      "WxH] [--jobs J]\n";
  if (argc < 2 || argv[1][0] == '-') {
    std::fputs(usage, stderr);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  ipd::test::MessyOptions options;
  try {
    for (int i = 2; i < argc; i += 2) {
      if (i + 1 >= argc) {
        throw std::invalid_argument(argv[i]);
      }
      const std::string value = argv[i + 1];
      if (!std::strcmp(argv[i], "--captures")) {
        options.captures = static_cast<unsigned>(std::stoul(value));
      } else if (!std::strcmp(argv[i], "--corpus")) {
        options.corpus = value;
      } else if (!std::strcmp(argv[i], "--seed")) {
        options.seed = static_cast<unsigned>(std::stoul(value));
      } else if (!std::strcmp(argv[i], "--jobs")) {
        options.jobs = static_cast<unsigned>(std::stoul(value));
      } else if (!std::strcmp(argv[i], "--size")) {
        if (std::sscanf(value.c_str(), "%dx%d", &options.width, &options.height) != 2 || options.width < 64 ||
            options.height < 64) {
          throw std::invalid_argument(value);
        }
      } else {
        throw std::invalid_argument(argv[i]);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipd_make_messy_library: bad argument %s\n%s", e.what(), usage);
    return 2;
  }
  std::error_code ec;
  if (std::filesystem::exists(out / "library", ec)) {
    std::fprintf(stderr, "ipd_make_messy_library: %s already exists\n", (out / "library").c_str());
    return 2;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const auto truth = ipd::test::make_messy_library(out / "library", options);
    ipd::test::write_truth_tsv(out / "truth.tsv", truth);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::map<std::string, int> roles;
    for (const auto& file : truth.files) {
      ++roles[file.role];
    }
    std::printf("wrote %zu files of %zu captures to %s in %.1f s (truth: %s)\n", truth.files.size(),
                truth.captures, (out / "library").c_str(), seconds, (out / "truth.tsv").c_str());
    for (const auto& [role, count] : roles) {
      std::printf("  %-12s %d\n", role.c_str(), count);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipd_make_messy_library: %s\n", e.what());
    return 1;
  }
  return 0;
}
