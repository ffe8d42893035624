// The entry of libipd_pixels.so.
#include "index/pixels/pixels_module.hpp"

extern "C" __attribute__((visibility("default"))) void ipd_pixels_module(ipd::PixelsModule* out) {
  out->init = ipd::init_fingerprints;
  out->compute = ipd::compute_fingerprint_from;
  out->full_compare = ipd::full_compare_percent;
  out->version = ipd::image_decoder_version;
  out->sample = ipd::compute_sample_from;
  out->thumbnail = ipd::make_thumbnail;
}
