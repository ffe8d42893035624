// iphone-photo-dedup version (and --version): the tool's version and those of the libraries it
// runs with, asked of each library at run time.
#include "command.hpp"

#include "index/pixels/fingerprint.hpp"

#define FUSE_USE_VERSION 314
#include <exiv2/exiv2.hpp>
#include <fuse3/fuse_lowlevel.h>
#include <libheif/heif.h>
#include <magic.h>
#include <oneapi/tbb/version.h>
#include <rocksdb/version.h>

#include <cstdio>

namespace ipd::tools {

int cmd_version(Args args) {
  if (!args.finish().empty()) {
    throw UsageError("version takes no operands");
  }
  std::string module;
  std::string error;
  std::string vips = image_decoder_version(module, error);
  vips = vips.empty() ? "(not loaded: " + error + ")" : vips + " (pixels module " + module + ")";
  const int magic = ::magic_version();
  const std::string magic_text = std::to_string(magic / 100) + "." + std::to_string(magic % 100);
  std::printf("%s %s\n", k_tool_name.data(), IPD_VERSION);
  std::printf("libraries in use:\n");
  const std::pair<const char*, std::string> libraries[] = {
      {"libheif", heif_get_version()},
      {"exiv2", Exiv2::version()},
      {"libvips", vips},
      {"RocksDB", rocksdb::GetRocksVersionAsString()},
      {"libfuse", fuse_pkgversion()},
      {"libmagic", magic_text},
      {"oneTBB", TBB_runtime_version()},
  };
  for (const auto& [name, version] : libraries) {
    std::printf("  %-9s %s\n", name, version.c_str());
  }
  return k_exit_ok;
}

} // namespace ipd::tools
