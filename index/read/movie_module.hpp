// The interface of the movie module, libipd_movie.so (see module.hpp).
#pragma once

#include "index/core/record.hpp"

#include <cstdint>

namespace ipd {

struct MovieModule {
  void (*init)();
  MediaInfo (*read)(int fd, std::uint64_t size);
};

} // namespace ipd

// The module's one exported symbol: fills in its functions.
extern "C" void ipd_movie_module(ipd::MovieModule* out);
