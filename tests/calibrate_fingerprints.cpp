// Calibration of the content fingerprint (docs/DESIGN.md §5, §10): builds true copies from the real
// corpus the way they arise in the wild (the JPEG iOS converts a HEIC to, a re-saved JPEG, a
// 2048-px downscale), measures the fingerprint distance and the --full-compare percentage of
// each against its original for every decode source, does the same for real negatives (burst
// frames, the HDR pair, edited renders), and times each source. Prints the tables.
//
//   calibrate_fingerprints [CORPUS_DIR] [--reps N]
//
// Nothing is written anywhere: the derived copies live in memory only.
#include "index/pixels/fingerprint.hpp"
#include "tests/support/tmpdir.hpp"

#include <vips/vips8>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

using ipd::FingerprintSource;
using ipd::Format;

struct Still {
  std::string name;
  Format format = Format::unknown;
  std::string bytes;
};

std::span<const std::uint8_t> span_of(const std::string& bytes) {
  return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

Format sniff(const std::string& bytes) {
  if (bytes.size() > 3 && static_cast<unsigned char>(bytes[0]) == 0xff &&
      static_cast<unsigned char>(bytes[1]) == 0xd8) {
    return Format::jpeg;
  }
  if (bytes.size() > 12 && bytes.compare(4, 4, "ftyp") == 0) {
    return Format::heic;
  }
  if (bytes.size() > 8 && bytes.compare(1, 3, "PNG") == 0) {
    return Format::png;
  }
  return Format::tiff;
}

std::string blob_bytes(VipsBlob* blob) {
  VipsArea* area = VIPS_AREA(blob);
  std::string bytes(static_cast<const char*>(area->data), area->length);
  vips_area_unref(area);
  return bytes;
}

// The full image, turned upright, with orientation 1 recorded (what iOS bakes in on transfer).
vips::VImage upright(const Still& still) {
  vips::VImage image = vips::VImage::new_from_buffer(still.bytes.data(), still.bytes.size(), "");
  image = image.autorot();
  image = image.copy();
  image.set(VIPS_META_ORIENTATION, 1);
  return image;
}

// As iOS "Automatic" transfer: full decode, orientation baked in, EXIF kept, JPEG q=90.
std::string converted_jpeg(const Still& still) {
  return blob_bytes(upright(still).jpegsave_buffer(vips::VImage::option()->set("Q", 90)));
}

// A re-saved copy: 95 % size, q=75 (Windows importers and editors).
std::string resaved_jpeg(const Still& still) {
  vips::VImage image = upright(still).resize(0.95);
  return blob_bytes(image.jpegsave_buffer(vips::VImage::option()->set("Q", 75)));
}

// A Takeout-style downscale: long side 2048 px, q=85.
std::string downscaled_jpeg(const Still& still) {
  vips::VImage image = upright(still);
  const double scale = 2048.0 / std::max(image.width(), image.height());
  image = image.resize(scale);
  return blob_bytes(image.jpegsave_buffer(vips::VImage::option()->set("Q", 85)));
}

struct Strategy {
  const char* name;
  FingerprintSource heic;
  FingerprintSource jpeg;
};

const std::vector<Strategy> k_strategies = {
    {"standard(heic full, jpg shrink)", FingerprintSource::standard, FingerprintSource::standard},
    {"all full", FingerprintSource::full, FingerprintSource::full},
    {"heic thumb + jpg shrink", FingerprintSource::embedded_thumbnail, FingerprintSource::standard},
    {"vips_thumbnail all", FingerprintSource::vips_thumbnail, FingerprintSource::vips_thumbnail},
};

FingerprintSource source_for(const Strategy& strategy, Format format) {
  return format == Format::heic ? strategy.heic : strategy.jpeg;
}

struct Pair {
  std::string label;
  bool same = false; // a true copy (must match) or a negative (must not)
  const Still* a = nullptr;
  const Still* b = nullptr;
};

} // namespace

int main(int argc, char** argv) {
  std::filesystem::path corpus = ipd::test::corpus_dir();
  int reps = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      corpus = arg;
    }
  }
  if (corpus.empty() || !std::filesystem::exists(corpus)) {
    std::fprintf(stderr, "no corpus: pass its directory or set IPD_CORPUS\n");
    return 2;
  }
  ipd::init_fingerprints();

  std::map<std::string, Still> stills;
  auto load = [&](const std::string& name) -> const Still* {
    if (auto it = stills.find(name); it != stills.end()) {
      return &it->second;
    }
    Still still;
    still.name = name;
    still.bytes = ipd::test::read_file(corpus / name);
    still.format = sniff(still.bytes);
    return &stills.emplace(name, std::move(still)).first->second;
  };
  auto derive = [&](const std::string& name, std::string bytes) -> const Still* {
    Still still;
    still.name = name;
    still.bytes = std::move(bytes);
    still.format = Format::jpeg;
    return &stills.emplace(name, std::move(still)).first->second;
  };

  const std::vector<std::string> heics = {"osxp_IMG_3582.HEIC",
                                          "osxp_IMG_4076.HEIC",
                                          "osxp_IMG_4580.HEIC",
                                          "osxp_IMG_6161.HEIC",
                                          "osxp_IMG_0102.HEIC",
                                          "ianare_IMG_5195.HEIC",
                                          "exifr_heic-iphone.heic",
                                          "exiv2_2021-02-13-1929.heic",
                                          "mei_IMG_1034.heic",
                                          "osxp_IMG_3582_edited.heic",
                                          "osxp_FD2D395E-A0DC-46F2-9ABA-826A15CEAC56.heic",
                                          "mei_Issue_487.heic"};
  const std::vector<std::string> jpegs = {"osxp_IMG_0658.JPG", "osxp_IMG_4179.jpeg",
                                          "ianare_iphone_hdr_NO.jpg", "mei_Apple_iPhone_4.jpg"};
  // (lpfix_pixel_8.jpg is left out: its pixels are all black, so every copy of it is at 0.)

  std::vector<Pair> pairs;
  for (const std::string& name : heics) {
    const Still* original = load(name);
    pairs.push_back({"conv " + name, true, original, derive(name + ".conv.jpg", converted_jpeg(*original))});
    pairs.push_back(
        {"resave " + name, true, original, derive(name + ".resave.jpg", resaved_jpeg(*original))});
    pairs.push_back({"2048 " + name, true, original, derive(name + ".2048.jpg", downscaled_jpeg(*original))});
  }
  for (const std::string& name : jpegs) {
    const Still* original = load(name);
    pairs.push_back(
        {"resave " + name, true, original, derive(name + ".resave.jpg", resaved_jpeg(*original))});
    pairs.push_back({"2048 " + name, true, original, derive(name + ".2048.jpg", downscaled_jpeg(*original))});
  }
  pairs.push_back(
      {"meta-only makelive_test2 / IMG_6161", true, load("makelive_test2.heic"), load("osxp_IMG_6161.HEIC")});
  pairs.push_back({"meta-only takeout IMG_4179", true, load("osxp_IMG_4179.jpeg"),
                   load("osxp_takeout2021_IMG_4179.jpeg")});
  pairs.push_back(
      {"stripped exifr_img_1771", true, load("exifr_img_1771.jpg"), load("exifr_img_1771_no_exif.jpg")});
  pairs.push_back({"burst IMG_0658 / IMG_0664", false, load("osxp_IMG_0658.JPG"), load("osxp_IMG_0664.JPG")});
  pairs.push_back(
      {"HDR NO / YES", false, load("ianare_iphone_hdr_NO.jpg"), load("ianare_iphone_hdr_YES.jpg")});
  pairs.push_back(
      {"edited IMG_3582 / _edited", false, load("osxp_IMG_3582.HEIC"), load("osxp_IMG_3582_edited.heic")});
  pairs.push_back({"edited IMG_4179 / -edited", false, load("osxp_IMG_4179.jpeg"),
                   load("osxp_takeout2021_IMG_4179-edited.jpeg")});

  // Fingerprints per (still, source).
  std::map<std::pair<std::string, FingerprintSource>, ipd::Fingerprint> prints;
  auto print_of = [&](const Still& still, FingerprintSource source) -> const ipd::Fingerprint* {
    const auto key = std::make_pair(still.name, source);
    if (auto it = prints.find(key); it != prints.end()) {
      return &it->second;
    }
    ipd::Fingerprint print;
    std::string error;
    if (!ipd::compute_fingerprint_from(span_of(still.bytes), still.format, source, print, error)) {
      std::fprintf(stderr, "%s: %s\n", still.name.c_str(), error.c_str());
      return nullptr;
    }
    return &prints.emplace(key, print).first->second;
  };

  std::printf("# Fingerprint distance (std dev of 32x32 grey difference, 0-255) and full-compare %%\n");
  std::printf("%-52s %4s", "pair", "kind");
  for (const Strategy& strategy : k_strategies) {
    std::printf(" | %-12.12s", strategy.name);
  }
  std::printf(" | %8s | aspect\n", "full %");
  std::vector<double> worst_true(k_strategies.size(), 0), best_false(k_strategies.size(), 1e9);
  double worst_true_full = 0, best_false_full = 1e9;
  for (const Pair& pair : pairs) {
    std::printf("%-52.52s %4s", pair.label.c_str(), pair.same ? "same" : "diff");
    for (std::size_t s = 0; s < k_strategies.size(); ++s) {
      const ipd::Fingerprint* a = print_of(*pair.a, source_for(k_strategies[s], pair.a->format));
      const ipd::Fingerprint* b = print_of(*pair.b, source_for(k_strategies[s], pair.b->format));
      if (!a || !b) {
        std::printf(" | %12s", "error");
        continue;
      }
      const double d = ipd::fingerprint_distance(*a, *b);
      std::printf(" | %12.2f", d);
      if (pair.same) {
        worst_true[s] = std::max(worst_true[s], d);
      } else {
        best_false[s] = std::min(best_false[s], d);
      }
    }
    std::string error;
    const double percent = ipd::full_compare_percent(span_of(pair.a->bytes), pair.a->format,
                                                     span_of(pair.b->bytes), pair.b->format, error);
    if (percent < 0) {
      std::printf(" | %8s", "error");
    } else {
      std::printf(" | %8.2f", percent);
      if (pair.same) {
        worst_true_full = std::max(worst_true_full, percent);
      } else {
        best_false_full = std::min(best_false_full, percent);
      }
    }
    const ipd::Fingerprint* a = print_of(*pair.a, FingerprintSource::standard);
    const ipd::Fingerprint* b = print_of(*pair.b, FingerprintSource::standard);
    if (a && b) {
      std::printf(" | %.4f/%.4f %s", a->aspect, b->aspect,
                  ipd::aspects_match(a->aspect, b->aspect) ? "ok" : "MISMATCH");
    }
    std::printf("\n");
  }
  std::printf("%-57s", "largest true-copy distance");
  for (const double d : worst_true) {
    std::printf(" | %12.2f", d);
  }
  std::printf(" | %8.2f\n", worst_true_full);
  std::printf("%-57s", "smallest negative distance");
  for (const double d : best_false) {
    std::printf(" | %12.2f", d);
  }
  std::printf(" | %8.2f\n", best_false_full);

  std::printf("\n# A HEIC's embedded thumbnail against its own full image\n");
  for (const std::string& name : heics) {
    const Still* still = load(name);
    const ipd::Fingerprint* full = print_of(*still, FingerprintSource::full);
    const ipd::Fingerprint* thumb = print_of(*still, FingerprintSource::embedded_thumbnail);
    const ipd::Fingerprint* auto_thumb = print_of(*still, FingerprintSource::vips_thumbnail);
    if (full && thumb && auto_thumb) {
      std::printf("%-52s thumb %.2f  vips_thumbnail %.2f\n", name.c_str(),
                  ipd::fingerprint_distance(*full, *thumb), ipd::fingerprint_distance(*full, *auto_thumb));
    }
  }

  std::printf("\n# Time per fingerprint, ms (mean of %d runs, one thread)\n", reps);
  const std::vector<std::pair<const char*, FingerprintSource>> sources = {
      {"standard", FingerprintSource::standard},
      {"full", FingerprintSource::full},
      {"embedded_thumbnail", FingerprintSource::embedded_thumbnail},
      {"vips_thumbnail", FingerprintSource::vips_thumbnail}};
  std::printf("%-52s %10s", "file", "MP");
  for (const auto& [name, source] : sources) {
    std::printf(" %19s", name);
  }
  std::printf("\n");
  std::vector<std::string> timed = heics;
  timed.insert(timed.end(), jpegs.begin(), jpegs.end());
  timed.push_back("osxp_IMG_3582.HEIC.conv.jpg");
  timed.push_back("osxp_IMG_3582.HEIC.2048.jpg");
  for (const std::string& name : timed) {
    const Still* still = load(name);
    ipd::Fingerprint print;
    std::string error;
    ipd::compute_fingerprint_from(span_of(still->bytes), still->format, FingerprintSource::standard, print,
                                  error);
    double megapixels = 0;
    try {
      const vips::VImage header = vips::VImage::new_from_buffer(still->bytes.data(), still->bytes.size(), "");
      megapixels = static_cast<double>(header.width()) * header.height() / 1e6;
    } catch (const vips::VError&) {
      vips_error_clear();
    }
    std::printf("%-52s %10.1f", name.c_str(), megapixels);
    for (const auto& [label, source] : sources) {
      const auto start = std::chrono::steady_clock::now();
      for (int r = 0; r < reps; ++r) {
        ipd::compute_fingerprint_from(span_of(still->bytes), still->format, source, print, error);
      }
      const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
      std::printf(" %19.1f", took.count() / reps);
    }
    std::printf("\n");
  }
  return 0;
}
