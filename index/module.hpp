// Decoder modules loaded on first use. libavformat and libvips each bring about a hundred
// shared libraries that cost 50-100 ms at every process start; commands and runs that decode
// nothing (status, list, an unchanged re-index) must not pay for them.
//
//   libipd_movie.so   movie metadata (libavformat)       movie_module.hpp
//   libipd_pixels.so  fingerprints, full compare (vips)  pixels_module.hpp
#pragma once

#include <string>

namespace ipd {

// Loads module `file_name` (looking beside the executable, in ../lib/iphone-photo-dedup, then
// where the build made it: `built_path`) and returns the address of its symbol `entry`, or
// nullptr with a clear message in `error`. $IPD_MODULE_DIR, when set, is looked in first.
void* load_module_entry(const char* file_name, const char* built_path, const char* entry, std::string& error);

} // namespace ipd
