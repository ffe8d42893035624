// read_movie_metadata for the core: loads the movie module on first use (module.hpp).
#include "metadata.hpp"
#include "module.hpp"
#include "movie_module.hpp"

#include <mutex>

namespace ipd {

namespace {

struct Loaded {
  MovieModule module{};
  std::string error;
};

const Loaded& load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string error;
    auto entry = reinterpret_cast<void (*)(MovieModule*)>(
        load_module_entry("libipd_movie.so", IPD_MOVIE_MODULE_BUILT, "ipd_movie_module", error));
    if (!entry) {
      loaded.error = "cannot read movies: " + error;
      return;
    }
    entry(&loaded.module);
    loaded.module.init();
  });
  return loaded;
}

} // namespace

void init_movie_metadata() {}

MediaInfo read_movie_metadata(int fd, std::uint64_t size) {
  const Loaded& loaded = load();
  if (!loaded.module.read) {
    MediaInfo info;
    info.error = loaded.error;
    return info;
  }
  return loaded.module.read(fd, size);
}

} // namespace ipd
