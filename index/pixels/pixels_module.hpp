// The interface of the pixels module, libipd_pixels.so (see module.hpp): the functions of
// fingerprint.hpp, sample.hpp and thumbnail.hpp that decode images (libvips, libheif, libjpeg).
#pragma once

#include "index/pixels/fingerprint.hpp"
#include "index/pixels/sample.hpp"
#include "index/pixels/thumbnail.hpp"

namespace ipd {

struct PixelsModule {
  void (*init)();
  bool (*compute)(std::span<const std::uint8_t> data, Format format, FingerprintSource source,
                  Fingerprint& out, std::string& error);
  double (*full_compare)(std::span<const std::uint8_t> a, Format fa, std::span<const std::uint8_t> b,
                         Format fb, std::string& error);
  std::string (*version)(std::string& module, std::string& error);
  bool (*sample)(std::span<const std::uint8_t> data, Format format, SampleSource source, Sample& out,
                 SampleReport& report, std::string& error);
  bool (*thumbnail)(std::span<const std::uint8_t> data, Format format, int side, std::string& jpeg,
                    std::string& error);
};

} // namespace ipd

// The module's one exported symbol: fills in its functions.
extern "C" void ipd_pixels_module(ipd::PixelsModule* out);
