// The decoding functions of fingerprint.hpp, sample.hpp and thumbnail.hpp for the core: they load the pixels
// module on first use (module.hpp) and forward to it.
#include "index/core/module.hpp"
#include "index/pixels/pixels_module.hpp"

namespace ipd {

namespace {

const LoadedModule<PixelsModule>& load() {
  return load_module_once<PixelsModule>("libipd_pixels.so", IPD_PIXELS_MODULE_BUILT, "ipd_pixels_module",
                                        "cannot decode images");
}

} // namespace

void init_fingerprints() { load(); }

bool compute_fingerprint(std::span<const std::uint8_t> data, Format format, Fingerprint& out,
                         std::string& error) {
  return compute_fingerprint_from(data, format, FingerprintSource::standard, out, error);
}

bool compute_fingerprint_from(std::span<const std::uint8_t> data, Format format, FingerprintSource source,
                              Fingerprint& out, std::string& error) {
  const auto& loaded = load();
  if (!loaded.module.compute) {
    error = loaded.error;
    return false;
  }
  return loaded.module.compute(data, format, source, out, error);
}

double full_compare_percent(std::span<const std::uint8_t> a, Format fa, std::span<const std::uint8_t> b,
                            Format fb, std::string& error) {
  const auto& loaded = load();
  if (!loaded.module.full_compare) {
    error = loaded.error;
    return -1;
  }
  return loaded.module.full_compare(a, fa, b, fb, error);
}

std::string image_decoder_version(std::string& module, std::string& error) {
  const auto& loaded = load();
  if (!loaded.module.version) {
    error = loaded.error;
    return "";
  }
  std::string version = loaded.module.version(module, error);
  module = loaded.path;
  return version;
}

bool compute_sample(std::span<const std::uint8_t> data, Format format, Sample& out, std::string& error) {
  SampleReport report;
  return compute_sample_from(data, format, SampleSource::automatic, out, report, error);
}

bool compute_sample_from(std::span<const std::uint8_t> data, Format format, SampleSource source, Sample& out,
                         SampleReport& report, std::string& error) {
  const auto& loaded = load();
  if (!loaded.module.sample) {
    error = loaded.error;
    return false;
  }
  return loaded.module.sample(data, format, source, out, report, error);
}

bool make_thumbnail(std::span<const std::uint8_t> data, Format format, int side, std::string& jpeg,
                    std::string& error) {
  const auto& loaded = load();
  if (!loaded.module.thumbnail) {
    error = loaded.error;
    return false;
  }
  return loaded.module.thumbnail(data, format, side, jpeg, error);
}

} // namespace ipd
