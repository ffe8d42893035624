// The movie reader is a module (libipd_movie.so) loaded on first use: libavformat brings some
// 130 libraries whose loading costs about 0.1 s at every process start, which a re-index that
// reads no movie, `status` and `list` must not pay.
#pragma once

#include "record.hpp"

#include <cstdint>

namespace ipd {

struct MovieModule {
  void (*init)();
  MediaInfo (*read)(int fd, std::uint64_t size);
};

} // namespace ipd

// The module's one exported symbol: fills in its functions.
extern "C" void ipd_movie_module(ipd::MovieModule* out);
