// libFuzzer target: the Apple MakerNote reader must never read outside its bytes (ASan) and
// must give ids of printable ASCII only.
#include "index/read/metadata.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace {

void require_printable(const char* what, const std::string& id) {
  for (const char c : id) {
    if (c < 0x20 || c > 0x7e) {
      std::fprintf(stderr, "%s holds byte 0x%02x\n", what, static_cast<unsigned char>(c));
      std::abort();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (const auto note = ipd::parse_apple_makernote(std::span<const std::uint8_t>(data, size))) {
    require_printable("content id", note->content_id);
    require_printable("burst id", note->burst_id);
  }
  return 0;
}
