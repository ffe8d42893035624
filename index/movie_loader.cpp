// read_movie_metadata for the core: loads the movie module on first use (movie_module.hpp).
#include "metadata.hpp"
#include "movie_module.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace ipd {

namespace {

constexpr const char* k_module_name = "libipd_movie.so";

struct Loaded {
  MovieModule module{};
  std::string error;
};

// Looks beside the executable, in ../lib/iphone-photo-dedup, then where the build made it.
std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("IPD_MOVIE_MODULE"); env && *env) {
    out.emplace_back(env);
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / k_module_name).string());
    out.push_back((exe.parent_path().parent_path() / "lib/iphone-photo-dedup" / k_module_name).string());
  }
#ifdef IPD_MOVIE_MODULE_BUILT
  out.emplace_back(IPD_MOVIE_MODULE_BUILT);
#endif
  return out;
}

const Loaded& load() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string tried;
    for (const auto& path : candidates()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        tried += (tried.empty() ? "" : ", ") + path;
        continue;
      }
      void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        const char* why = ::dlerror();
        loaded.error = "cannot read movies: " + std::string(why ? why : path);
        return;
      }
      auto entry = reinterpret_cast<void (*)(MovieModule*)>(::dlsym(handle, "ipd_movie_module"));
      if (!entry) {
        loaded.error = "cannot read movies: " + path + " is not the movie module";
        return;
      }
      entry(&loaded.module);
      loaded.module.init();
      return;
    }
    loaded.error =
        std::string("cannot read movies: ") + k_module_name + " not found (looked for " + tried + ")";
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
