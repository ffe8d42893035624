// libFuzzer target: the JPEG, ISO-BMFF, PNG and TIFF completeness checks must never read outside
// the file (ASan), never hang, and say what is wrong in words that are safe to print.
#include "index/read/integrity.hpp"
#include "tests/fuzz/formats.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> input(data, size);
  const ipd::Format format = ipd::fuzz::pick(ipd::fuzz::k_integrity_formats, input);
  const std::string error = ipd::check_complete(format, input.subspan(1));
  ipd::fuzz::require_display_safe("completeness error", error);
  if (!error.empty() && !error.starts_with("the file is cut short: ") && !error.starts_with("corrupt: ")) {
    std::fprintf(stderr, "error neither cut short nor corrupt: %s\n", error.c_str());
    std::abort();
  }
  return 0;
}
