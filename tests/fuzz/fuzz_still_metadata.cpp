// libFuzzer target: the still metadata reader (exiv2, libheif for HEIC/AVIF, the MakerNote
// reader), called as the indexer calls it. It must not crash, read out of bounds or throw
// (it catches what the libraries throw), and every text it returns must be safe to print.
#include "index/read/metadata.hpp"
#include "tests/fuzz/formats.hpp"

#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ipd::init_still_metadata();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::span<const std::uint8_t> input(data, size);
  const ipd::Format format = ipd::fuzz::pick(ipd::fuzz::k_still_formats, input);
  const ipd::MediaInfo info = ipd::read_still_metadata(input.subspan(1), format);
  ipd::fuzz::require_display_safe("error", info.error);
  ipd::fuzz::require_display_safe("make", info.make);
  ipd::fuzz::require_display_safe("model", info.model);
  ipd::fuzz::require_display_safe("software", info.software);
  ipd::fuzz::require_display_safe("content id", info.content_id);
  ipd::fuzz::require_display_safe("burst id", info.burst_id);
  return 0;
}
