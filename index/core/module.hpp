// Decoder modules loaded on first use. libavformat and libvips each bring about a hundred
// shared libraries that cost 50-100 ms at every process start; commands and runs that decode
// nothing (status, list, an unchanged re-index) must not pay for them.
//
//   libipd_movie.so   movie metadata (libavformat)       movie_module.hpp
//   libipd_pixels.so  fingerprints, full compare (vips)  pixels_module.hpp
#pragma once

#include <mutex>
#include <string>

namespace ipd {

// Loads module `file_name` (looking beside the executable, in ../lib/iphone-photo-dedup, then
// where the build made it: `built_path`) and returns the address of its symbol `entry`, or
// nullptr with a clear message in `error`. $IPD_MODULE_DIR, when set, is looked in first.
// `loaded_from` gets the path of the file loaded.
void* load_module_entry(const char* file_name, const char* built_path, const char* entry, std::string& error,
                        std::string& loaded_from);

// A module's table of functions, or why it could not be loaded.
template <typename Module> struct LoadedModule {
  Module module{};
  std::string error;
  std::string path; // the file it was loaded from
};

// Loads the module once per process (thread-safe): `entry` fills in the table, then its init()
// runs. `what` starts the error ("cannot read movies").
template <typename Module>
const LoadedModule<Module>& load_module_once(const char* file_name, const char* built_path, const char* entry,
                                             const char* what) {
  static LoadedModule<Module> loaded;
  static std::once_flag once;
  std::call_once(once, [&] {
    std::string error;
    auto fill = reinterpret_cast<void (*)(Module*)>(
        load_module_entry(file_name, built_path, entry, error, loaded.path));
    if (!fill) {
      loaded.error = std::string(what) + ": " + error;
      return;
    }
    fill(&loaded.module);
    loaded.module.init();
  });
  return loaded;
}

} // namespace ipd
