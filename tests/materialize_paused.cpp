// Materialize slowed down, for the tests that kill a run part-way (test_index_materialize):
//
//   ipd_materialize_paused PAUSE_MS CATALOG OUTDIR [MODE]
//
// runs the library's materialize with MaterializeOptions::pause, sleeping PAUSE_MS after each
// file made, so that a test can SIGKILL it after some files and before the end. The product's
// command has no such hook. Exits 0 when the run finished, 1 on a fatal error, 2 on bad usage.
#include "index/catalog/catalog.hpp"
#include "index/materialize/materialize.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fputs("usage: ipd_materialize_paused PAUSE_MS CATALOG OUTDIR [MODE]\n", stderr);
    return 2;
  }
  ipd::MaterializeOptions options;
  try {
    options.pause = std::chrono::milliseconds(std::stoul(argv[1]));
  } catch (const std::exception&) {
    std::fprintf(stderr, "PAUSE_MS is a whole number of milliseconds, not '%s'\n", argv[1]);
    return 2;
  }
  if (argc == 5) {
    const auto mode = ipd::parse_materialize_mode(argv[4]);
    if (!mode) {
      std::fprintf(stderr, "MODE is hardlink, reflink, copy or symlink, not '%s'\n", argv[4]);
      return 2;
    }
    options.mode = *mode;
  }
  try {
    const auto catalog = ipd::Catalog::open(argv[2], ipd::Catalog::Access::read_only);
    ipd::materialize(*catalog, argv[3], options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ipd_materialize_paused: %s\n", e.what());
    return 1;
  }
  return 0;
}
