// Writes a generated photo library for benchmarks: a mix of HEIC, JPEG, PNG, MOV, AAE and
// other files across camera-roll folders, optionally with hard-linked copies of real media.
//
//   ipd_make_library OUTDIR --files N [--pairs P --size WxH] [--corpus DIR --copies K]
//
// --pairs adds P captures each as a HEIC and the JPG converted from it (the same picture and
// EXIF), so that the plan has to fingerprint them.
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/tmpdir.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

using namespace ipd::test;

namespace {

ExifSpec exif_for(unsigned i) {
  ExifSpec e;
  char date[32];
  std::snprintf(date, sizeof date, "20%02u:%02u:%02u %02u:%02u:%02u", 15 + i % 10, 1 + i % 12, 1 + i % 28,
                i % 24, i % 60, (i * 7) % 60);
  e.date_time_original = date;
  e.subsec = std::to_string(100 + i % 900);
  e.offset = i % 3 ? "-07:00" : "+01:00";
  e.make = "Apple";
  e.model = i % 2 ? "iPhone 12 Pro" : "iPhone 8";
  e.software = "14.5";
  char id[40];
  std::snprintf(id, sizeof id, "%08X-0000-4000-8000-%012X", i, i);
  e.content_id = id;
  return e;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(
        stderr,
        "usage: ipd_make_library OUTDIR --files N [--pairs P --size WxH] [--corpus DIR --copies K]\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  unsigned files = 1000;
  unsigned copies = 0;
  unsigned pairs = 0;
  int pair_width = 2016;
  int pair_height = 1512;
  std::filesystem::path corpus;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--files")) {
      files = static_cast<unsigned>(std::stoul(argv[i + 1]));
    } else if (!std::strcmp(argv[i], "--corpus")) {
      corpus = argv[i + 1];
    } else if (!std::strcmp(argv[i], "--pairs")) {
      pairs = static_cast<unsigned>(std::stoul(argv[i + 1]));
    } else if (!std::strcmp(argv[i], "--size")) {
      std::sscanf(argv[i + 1], "%dx%d", &pair_width, &pair_height);
    } else if (!std::strcmp(argv[i], "--copies")) {
      copies = static_cast<unsigned>(std::stoul(argv[i + 1]));
    }
  }
  // HEIC encoding is the slow part: a few templates, written under many names.
  std::vector<std::string> heics;
  for (unsigned t = 0; t < 16; ++t) {
    heics.push_back(make_heic(256, 192, exif_for(t), t));
  }
  for (unsigned i = 0; i < files; ++i) {
    const std::filesystem::path dir = out / ("DCIM/" + std::to_string(100 + i / 250) + "APPLE");
    char stem[32];
    std::snprintf(stem, sizeof stem, "IMG_%04u", i);
    switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3: write_file(dir / (std::string(stem) + ".JPG"), make_jpeg(256, 192, exif_for(i), i)); break;
    case 4:
    case 5: write_file(dir / (std::string(stem) + ".HEIC"), heics[i % heics.size()]); break;
    case 6: {
      MovieSpec movie;
      movie.creation_date = "2021-05-03T14:22:01-0700";
      movie.make = "Apple";
      movie.model = "iPhone 12 Pro";
      movie.content_id = exif_for(i).content_id;
      write_file(dir / (std::string(stem) + ".MOV"), make_mov(movie));
      break;
    }
    case 7: {
      char created[32];
      std::snprintf(created, sizeof created, "2015-%02u-%02uT%02u:%02u:%02u", 1 + i % 12, 1 + i % 28, i % 24,
                    (i / 24) % 60, (i / 7) % 60);
      write_file(dir / (std::string(stem) + ".PNG"), make_png(128, 256, i, created));
      break;
    }
    case 8:
      write_file(dir / (std::string(stem) + ".AAE"),
                 "<?xml version=\"1.0\"?>\n<plist version=\"1.0\"><dict><key>adjustmentFormatVersion</key>"
                 "<string>1.11</string></dict></plist>\n");
      break;
    default: write_file(dir / (std::string(stem) + ".txt"), "note " + std::to_string(i) + "\n"); break;
    }
  }
  for (unsigned p = 0; p < pairs; ++p) {
    const unsigned id = 100000 + p;
    char stem[32];
    std::snprintf(stem, sizeof stem, "IMG_%05u", p);
    ExifSpec exif = exif_for(id);
    write_file(out / "pairs/DCIM" / (std::string(stem) + ".HEIC"),
               make_heic(pair_width, pair_height, exif, id));
    write_file(out / "pairs/Converted" / (std::string(stem) + ".JPG"),
               make_jpeg(pair_width, pair_height, exif, id));
  }
  unsigned linked = 0;
  if (!corpus.empty() && copies > 0) {
    for (unsigned c = 0; c < copies; ++c) {
      const std::filesystem::path dir = out / ("real/copy" + std::to_string(c));
      std::filesystem::create_directories(dir);
      for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
        const auto name = entry.path().filename().string();
        if (!entry.is_regular_file() || name == "MANIFEST.tsv" || name == "README.md") {
          continue;
        }
        std::error_code ec;
        std::filesystem::create_hard_link(entry.path(), dir / name, ec);
        if (ec) {
          std::filesystem::copy_file(entry.path(), dir / name);
        }
        ++linked;
      }
    }
  }
  std::printf("wrote %u generated files, %u HEIC+JPG pairs and %u copies of real files under %s\n", files,
              pairs, linked, out.c_str());
  return 0;
}
