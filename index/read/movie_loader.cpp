// read_movie_metadata for the core: loads the movie module on first use (module.hpp).
#include "index/core/module.hpp"
#include "index/read/metadata.hpp"
#include "index/read/movie_module.hpp"

namespace ipd {

namespace {

const LoadedModule<MovieModule>& load() {
  return load_module_once<MovieModule>("libipd_movie.so", IPD_MOVIE_MODULE_BUILT, "ipd_movie_module",
                                       "cannot read movies");
}

} // namespace

MediaInfo read_movie_metadata(int fd, std::uint64_t size) {
  const auto& loaded = load();
  if (!loaded.module.read) {
    MediaInfo info;
    info.error = loaded.error;
    return info;
  }
  return loaded.module.read(fd, size);
}

} // namespace ipd
