// Writes a messy photo library and its ground truth (see tests/messy_library.hpp):
//
//   ipd_make_messy_library OUTDIR [--captures N] [--corpus DIR] [--seed S] [--size WxH] [--jobs J]
//                                 [--full-size] [--templates T]
//
// OUTDIR/library/... holds the files; OUTDIR/truth.tsv says, for each, the capture it was made
// from, the role the plan must give it and the keeper `list --json` must name. --full-size
// makes 12 MP stills (some 24 and 48 MP) as an iPhone encodes them, cloned from T template
// families per kind of capture (default 2). OUTDIR/library.params records the parameters of a
// finished library: a run with the same ones reuses it; a run with others replaces a library
// this program made (one with that file), and refuses any other.
#include "tests/messy_library.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// Bumped whenever the generator writes other files for the same parameters.
constexpr int k_generator_version = 2;

std::string params_of(const ipd::test::MessyOptions& o) {
  std::ostringstream text;
  text << "generator " << k_generator_version << "\ncaptures " << o.captures << "\ncorpus "
       << (o.corpus.empty() ? std::string("-") : fs::absolute(o.corpus).lexically_normal().string())
       << "\nseed " << o.seed << "\nsize " << o.width << "x" << o.height << "\ntemplates " << o.templates
       << "\n";
  return text.str();
}

std::string contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

int main(int argc, char** argv) {
  const char* usage = "usage: ipd_make_messy_library OUTDIR [--captures N] [--corpus DIR] [--seed S] [--size "
                      "WxH] [--jobs J] [--full-size] [--templates T]\n";
  if (argc < 2 || argv[1][0] == '-') {
    std::fputs(usage, stderr);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  ipd::test::MessyOptions options;
  try {
    bool sized = false;
    bool templated = false;
    for (int i = 2; i < argc; i += 2) {
      if (!std::strcmp(argv[i], "--full-size")) {
        if (!sized) {
          options.width = 4032;
          options.height = 3024;
        }
        if (!templated) {
          options.templates = 2;
        }
        --i;
        continue;
      }
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
      } else if (!std::strcmp(argv[i], "--templates")) {
        options.templates = static_cast<unsigned>(std::stoul(value));
        templated = true;
      } else if (!std::strcmp(argv[i], "--size")) {
        sized = true;
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
  const std::string params = params_of(options);
  const fs::path params_file = out / "library.params";
  std::error_code ec;
  if (fs::exists(out / "library", ec)) {
    if (!fs::exists(params_file, ec)) {
      std::fprintf(stderr, "ipd_make_messy_library: %s already exists\n", (out / "library").c_str());
      return 2;
    }
    if (contents(params_file) == params + "complete\n" && fs::exists(out / "truth.tsv", ec)) {
      std::printf("reusing %s (made with the same parameters; truth: %s)\n", (out / "library").c_str(),
                  (out / "truth.tsv").c_str());
      return 0;
    }
    std::printf("replacing %s (made with other parameters, or unfinished)\n", (out / "library").c_str());
    fs::remove_all(out / "library");
    fs::remove(out / "truth.tsv", ec);
  }
  try {
    fs::create_directories(out);
    std::ofstream(params_file, std::ios::trunc) << params;
    const auto start = std::chrono::steady_clock::now();
    const auto truth = ipd::test::make_messy_library(out / "library", options);
    ipd::test::write_truth_tsv(out / "truth.tsv", truth);
    std::ofstream(params_file, std::ios::trunc) << params << "complete\n";
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
