// Calibration of the content check (docs/DESIGN.md §5, §10): builds true copies from the real corpus
// the way they arise in the wild (the JPEG iOS converts a HEIC to, a re-saved JPEG, a 2048-px
// downscale), measures the fingerprint distance and the --full-compare percentage of each
// against its original for every decode source, does the same for real negatives (burst
// frames, the HDR pair, edited renders, crops), and times each source. Then the same pairs
// through the sampled check (sample.hpp): full and sampled distances side by side, the
// margins, the band, and the time per sample against the time per fingerprint. Prints the
// tables.
//
//   calibrate_fingerprints [CORPUS_DIR] [--reps N]
//
// Nothing is written anywhere: the derived copies live in memory only.
#include "index/pixels/fingerprint.hpp"
#include "index/pixels/sample.hpp"
#include "tests/support/tmpdir.hpp"

#include <vips/vips8>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
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

// As the JPEG iOS writes: 4:2:0, a restart marker after every MCU row (16 px), q=90.
std::string ios_jpeg(const Still& still) {
  const vips::VImage image = upright(still);
  return blob_bytes(image.jpegsave_buffer(vips::VImage::option()
                                              ->set("Q", 90)
                                              ->set("subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON)
                                              ->set("restart_interval", (image.width() + 15) / 16)));
}

// The central 80 % of the picture (each side), same aspect ratio: a crop the aspects cannot tell.
std::string cropped_jpeg(const Still& still) {
  const vips::VImage image = upright(still);
  const int width = image.width() * 8 / 10;
  const int height = image.height() * 8 / 10;
  return blob_bytes(image.crop((image.width() - width) / 2, (image.height() - height) / 2, width, height)
                        .jpegsave_buffer(vips::VImage::option()->set("Q", 90)));
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

const std::vector<std::string> k_heics = {"osxp_IMG_3582.HEIC",
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
const std::vector<std::string> k_jpegs = {"osxp_IMG_0658.JPG", "osxp_IMG_4179.jpeg",
                                          "ianare_iphone_hdr_NO.jpg", "mei_Apple_iPhone_4.jpg"};
// (lpfix_pixel_8.jpg is left out: its pixels are all black, so every copy of it is at 0.)

// The stills read from the corpus and derived from them, by name; derived copies stay in memory.
class Stills {
public:
  explicit Stills(std::filesystem::path corpus) : m_corpus(std::move(corpus)) {}
  const Still* load(const std::string& name) {
    if (auto it = m_stills.find(name); it != m_stills.end()) {
      return &it->second;
    }
    Still still;
    still.name = name;
    still.bytes = ipd::test::read_file(m_corpus / name);
    still.format = sniff(still.bytes);
    return &m_stills.emplace(name, std::move(still)).first->second;
  }
  const Still* derive(const std::string& name, std::string bytes) {
    Still still;
    still.name = name;
    still.bytes = std::move(bytes);
    still.format = Format::jpeg;
    return &m_stills.emplace(name, std::move(still)).first->second;
  }

private:
  std::filesystem::path m_corpus;
  std::map<std::string, Still> m_stills;
};

std::vector<Pair> build_pairs(Stills& stills) {
  std::vector<Pair> pairs;
  for (const std::string& name : k_heics) {
    const Still* original = stills.load(name);
    pairs.push_back(
        {"conv " + name, true, original, stills.derive(name + ".conv.jpg", converted_jpeg(*original))});
    pairs.push_back({"ios " + name, true, original, stills.derive(name + ".ios.jpg", ios_jpeg(*original))});
    pairs.push_back(
        {"resave " + name, true, original, stills.derive(name + ".resave.jpg", resaved_jpeg(*original))});
    pairs.push_back(
        {"2048 " + name, true, original, stills.derive(name + ".2048.jpg", downscaled_jpeg(*original))});
  }
  for (const std::string& name : k_jpegs) {
    const Still* original = stills.load(name);
    pairs.push_back(
        {"resave " + name, true, original, stills.derive(name + ".resave.jpg", resaved_jpeg(*original))});
    pairs.push_back(
        {"2048 " + name, true, original, stills.derive(name + ".2048.jpg", downscaled_jpeg(*original))});
  }
  pairs.push_back({"meta-only makelive_test2 / IMG_6161", true, stills.load("makelive_test2.heic"),
                   stills.load("osxp_IMG_6161.HEIC")});
  pairs.push_back({"meta-only takeout IMG_4179", true, stills.load("osxp_IMG_4179.jpeg"),
                   stills.load("osxp_takeout2021_IMG_4179.jpeg")});
  pairs.push_back({"stripped exifr_img_1771", true, stills.load("exifr_img_1771.jpg"),
                   stills.load("exifr_img_1771_no_exif.jpg")});
  pairs.push_back({"burst IMG_0658 / IMG_0664", false, stills.load("osxp_IMG_0658.JPG"),
                   stills.load("osxp_IMG_0664.JPG")});
  pairs.push_back({"HDR NO / YES", false, stills.load("ianare_iphone_hdr_NO.jpg"),
                   stills.load("ianare_iphone_hdr_YES.jpg")});
  pairs.push_back({"edited IMG_3582 / _edited", false, stills.load("osxp_IMG_3582.HEIC"),
                   stills.load("osxp_IMG_3582_edited.heic")});
  pairs.push_back({"edited IMG_4179 / -edited", false, stills.load("osxp_IMG_4179.jpeg"),
                   stills.load("osxp_takeout2021_IMG_4179-edited.jpeg")});
  for (const char* name : {"osxp_IMG_4580.HEIC", "osxp_IMG_4076.HEIC", "osxp_IMG_4179.jpeg"}) {
    const Still* original = stills.load(name);
    pairs.push_back({std::string("crop80 ") + name, false, original,
                     stills.derive(std::string(name) + ".crop80.jpg", cropped_jpeg(*original))});
  }
  return pairs;
}

// Fingerprints per (still, source), computed once.
class Prints {
public:
  const ipd::Fingerprint* of(const Still& still, FingerprintSource source) {
    const auto key = std::make_pair(still.name, source);
    if (auto it = m_prints.find(key); it != m_prints.end()) {
      return &it->second;
    }
    ipd::Fingerprint print;
    std::string error;
    if (!ipd::compute_fingerprint_from(span_of(still.bytes), still.format, source, print, error)) {
      std::fprintf(stderr, "%s: %s\n", still.name.c_str(), error.c_str());
      return nullptr;
    }
    return &m_prints.emplace(key, print).first->second;
  }

private:
  std::map<std::pair<std::string, FingerprintSource>, ipd::Fingerprint> m_prints;
};

void print_fingerprint_table(const std::vector<Pair>& pairs, Prints& prints) {
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
      const ipd::Fingerprint* a = prints.of(*pair.a, source_for(k_strategies[s], pair.a->format));
      const ipd::Fingerprint* b = prints.of(*pair.b, source_for(k_strategies[s], pair.b->format));
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
    const ipd::Fingerprint* a = prints.of(*pair.a, FingerprintSource::standard);
    const ipd::Fingerprint* b = prints.of(*pair.b, FingerprintSource::standard);
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
}

void print_thumbnail_drift(Stills& stills, Prints& prints) {
  std::printf("\n# A HEIC's embedded thumbnail against its own full image\n");
  for (const std::string& name : k_heics) {
    const Still* still = stills.load(name);
    const ipd::Fingerprint* full = prints.of(*still, FingerprintSource::full);
    const ipd::Fingerprint* thumb = prints.of(*still, FingerprintSource::embedded_thumbnail);
    const ipd::Fingerprint* auto_thumb = prints.of(*still, FingerprintSource::vips_thumbnail);
    if (full && thumb && auto_thumb) {
      std::printf("%-52s thumb %.2f  vips_thumbnail %.2f\n", name.c_str(),
                  ipd::fingerprint_distance(*full, *thumb), ipd::fingerprint_distance(*full, *auto_thumb));
    }
  }
}

double megapixels_of(const Still& still) {
  try {
    const vips::VImage header = vips::VImage::new_from_buffer(still.bytes.data(), still.bytes.size(), "");
    return static_cast<double>(header.width()) * header.height() / 1e6;
  } catch (const vips::VError&) {
    vips_error_clear();
  }
  return 0;
}

// The stills the time tables time: every HEIC and JPEG, and copies made from a 24 MP HEIC.
std::vector<std::string> timed_stills() {
  std::vector<std::string> timed = k_heics;
  timed.insert(timed.end(), k_jpegs.begin(), k_jpegs.end());
  timed.push_back("osxp_IMG_3582.HEIC.conv.jpg");
  timed.push_back("osxp_IMG_3582.HEIC.ios.jpg");
  timed.push_back("osxp_IMG_4580.HEIC.ios.jpg");
  timed.push_back("osxp_IMG_3582.HEIC.2048.jpg");
  return timed;
}

void print_fingerprint_times(Stills& stills, int reps) {
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
  for (const std::string& name : timed_stills()) {
    const Still* still = stills.load(name);
    ipd::Fingerprint print;
    std::string error;
    ipd::compute_fingerprint_from(span_of(still->bytes), still->format, FingerprintSource::standard, print,
                                  error);
    std::printf("%-52s %10.1f", name.c_str(), megapixels_of(*still));
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
}

const char* path_name(ipd::SamplePath path) {
  switch (path) {
  case ipd::SamplePath::heif_tiles: return "tiles";
  case ipd::SamplePath::jpeg_rows: return "rst-rows";
  case ipd::SamplePath::jpeg_skip: return "skip-rows";
  case ipd::SamplePath::full_decode: return "full";
  }
  return "?";
}

// Samples per still, computed once, with how each was decoded.
class Samples {
public:
  struct Entry {
    ipd::Sample sample;
    ipd::SampleReport report;
  };
  const Entry* of(const Still& still) {
    if (auto it = m_samples.find(still.name); it != m_samples.end()) {
      return &it->second;
    }
    Entry entry;
    std::string error;
    if (!ipd::compute_sample_from(span_of(still.bytes), still.format, ipd::SampleSource::automatic,
                                  entry.sample, entry.report, error)) {
      std::fprintf(stderr, "%s: %s\n", still.name.c_str(), error.c_str());
      return nullptr;
    }
    return &m_samples.emplace(still.name, entry).first->second;
  }

private:
  std::map<std::string, Entry> m_samples;
};

const char* verdict_name(ipd::SampleVerdict verdict) {
  switch (verdict) {
  case ipd::SampleVerdict::same: return "same";
  case ipd::SampleVerdict::undecided: return "band";
  case ipd::SampleVerdict::different: return "diff";
  }
  return "?";
}

void print_sample_table(const std::vector<Pair>& pairs, Prints& prints, Samples& samples) {
  std::printf("\n# Sampled check: 4 regions x 16x16 cells at full detail (sample) against the 32x32 "
              "fingerprint of the whole picture (full); std dev of the difference, 0-255\n");
  std::printf("%-52s %4s | %6s | %6s | %-7s | %s\n", "pair", "kind", "full", "sample", "verdict",
              "how each sample was decoded");
  double worst_true = 0;
  double best_false = 1e9;
  std::string worst_true_pair;
  std::string best_false_pair;
  int in_band = 0;
  int wrong = 0;
  for (const Pair& pair : pairs) {
    const ipd::Fingerprint* pa = prints.of(*pair.a, FingerprintSource::standard);
    const ipd::Fingerprint* pb = prints.of(*pair.b, FingerprintSource::standard);
    const Samples::Entry* sa = samples.of(*pair.a);
    const Samples::Entry* sb = samples.of(*pair.b);
    if (!pa || !pb || !sa || !sb) {
      std::printf("%-52.52s %4s | error\n", pair.label.c_str(), pair.same ? "same" : "diff");
      continue;
    }
    const double full = ipd::fingerprint_distance(*pa, *pb);
    const double sampled = ipd::sample_distance(sa->sample, sb->sample);
    const ipd::SampleVerdict verdict = ipd::sample_verdict(sa->sample, sb->sample);
    const bool aspects = ipd::aspects_match(sa->sample.aspect, sb->sample.aspect);
    std::printf("%-52.52s %4s | %6.2f | %6.2f | %-7s | %s %u/%u, %s %u/%u%s\n", pair.label.c_str(),
                pair.same ? "same" : "diff", full, sampled, verdict_name(verdict), path_name(sa->report.path),
                sa->report.tiles_decoded + sa->report.rows_decoded,
                sa->report.tiles_total + sa->report.rows_total, path_name(sb->report.path),
                sb->report.tiles_decoded + sb->report.rows_decoded,
                sb->report.tiles_total + sb->report.rows_total, aspects ? "" : " (aspects differ)");
    if (pair.same && sampled > worst_true) {
      worst_true = sampled;
      worst_true_pair = pair.label;
    }
    if (!pair.same && aspects && sampled < best_false) {
      best_false = sampled;
      best_false_pair = pair.label;
    }
    in_band += verdict == ipd::SampleVerdict::undecided ? 1 : 0;
    wrong += verdict == (pair.same ? ipd::SampleVerdict::different : ipd::SampleVerdict::same) ? 1 : 0;
  }
  std::printf("largest true-copy sampled distance            %6.2f  (%s)\n", worst_true,
              worst_true_pair.c_str());
  std::printf("smallest distinct sampled distance (same aspect) %6.2f  (%s)\n", best_false,
              best_false_pair.c_str());
  std::printf("band: same below %.2f (%.1fx the largest true copy), different above %.2f (smallest distinct "
              "/ %.1f)\n",
              ipd::k_sample_same_below, ipd::k_sample_same_below / worst_true, ipd::k_sample_different_above,
              best_false / ipd::k_sample_different_above);
  std::printf("pairs in the band (whole pictures decoded): %d of %zu; wrong verdicts: %d\n", in_band,
              pairs.size(), wrong);
}

// Wall and CPU time of `reps` calls of `fn`, in ms per call.
template <typename Fn> std::pair<double, double> time_of(int reps, Fn&& fn) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (int r = 0; r < reps; ++r) {
    fn();
  }
  const std::chrono::duration<double, std::milli> wall = std::chrono::steady_clock::now() - start;
  const double cpu = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  return {wall.count() / reps, cpu / reps};
}

void print_sample_times(Stills& stills, int reps) {
  std::printf("\n# Time per sample against time per fingerprint, ms (mean of %d runs, one thread; cpu = "
              "process CPU time)\n",
              reps);
  std::printf("%-48s %5s | %9s %9s | %9s %9s | %7s | %-9s %s\n", "file", "MP", "print", "print cpu", "sample",
              "smp cpu", "speedup", "path", "decoded");
  for (const std::string& name : timed_stills()) {
    const Still* still = stills.load(name);
    ipd::Fingerprint print;
    ipd::Sample sample;
    ipd::SampleReport report;
    std::string error;
    const auto [print_wall, print_cpu] = time_of(reps, [&] {
      ipd::compute_fingerprint_from(span_of(still->bytes), still->format, FingerprintSource::standard, print,
                                    error);
    });
    const auto [sample_wall, sample_cpu] = time_of(reps, [&] {
      ipd::compute_sample_from(span_of(still->bytes), still->format, ipd::SampleSource::automatic, sample,
                               report, error);
    });
    char decoded[64];
    if (report.path == ipd::SamplePath::heif_tiles) {
      std::snprintf(decoded, sizeof decoded, "%u of %u tiles", report.tiles_decoded, report.tiles_total);
    } else if (report.path == ipd::SamplePath::full_decode) {
      std::snprintf(decoded, sizeof decoded, "all");
    } else {
      std::snprintf(decoded, sizeof decoded, "%u of %u rows at 1/%d", report.rows_decoded, report.rows_total,
                    report.scale_denom);
    }
    std::printf("%-48.48s %5.1f | %9.1f %9.1f | %9.1f %9.1f | %6.1fx | %-9s %s\n", name.c_str(),
                megapixels_of(*still), print_wall, print_cpu, sample_wall, sample_cpu,
                print_wall / sample_wall, path_name(report.path), decoded);
  }
}

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
  Stills stills(corpus);
  const std::vector<Pair> pairs = build_pairs(stills);
  Prints prints;
  Samples samples;
  print_fingerprint_table(pairs, prints);
  print_thumbnail_drift(stills, prints);
  print_fingerprint_times(stills, reps);
  print_sample_table(pairs, prints, samples);
  print_sample_times(stills, reps);
  return 0;
}
