#include "tests/fuzz/formats.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace ipd::fuzz {

void require_display_safe(const char* what, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (c < 0x20 || c == 0x7F || c1) {
      std::fprintf(stderr, "%s holds control byte 0x%02x at %zu: %s\n", what, c, i,
                   std::string(text).c_str());
      std::abort();
    }
  }
}

} // namespace ipd::fuzz
