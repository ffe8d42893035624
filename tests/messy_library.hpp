// A messy photo library, the way years of downloads make one, with its ground truth: camera
// originals with AAE sidecars and Live Photo movies; the JPGs iOS converts HEICs to on transfer;
// Windows importer re-saves; renamed byte copies; downscaled Takeout copies without the MakerNote;
// movies named .jpg; stripped copies; edited crops and IMG_E edits; burst frames sharing a second;
// zero-byte and truncated files; .DS_Store, Thumbs.db and notes. Built from the real corpus when
// one is given (its files kept byte for byte, its pictures used for the generated captures), else
// from pictures it draws itself.
//
// The truth says, for every file, which capture it was made from and what the plan's documented
// rules (README "How copies of one capture are found, and which is kept") must make of it: its
// role, and the keeper that `list --json` must name for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipd::test {

struct MessyOptions {
  unsigned captures = 60;       // captures to make (a burst counts each frame)
  std::filesystem::path corpus; // real photos and movies to start from; empty: generated only
  unsigned seed = 1;
  int width = 640; // generated pictures, landscape (portrait ones are width×height turned)
  int height = 480;
  unsigned jobs = 0; // threads; 0 = one per core
  // Full size: the stills of generated captures are 12 MP (on the newest device some 24 and
  // 48 MP), encoded as an iPhone does (HEIC grids of tiles, JPEGs with restart markers), and
  // cloned from this many template families per kind of capture (device, orientation, size,
  // ids) with their own instant and ids: see "Full-size captures" in messy_library.cpp.
  // 0: every capture drawn at width×height and encoded on its own.
  unsigned templates = 0;
};

// What the plan must do with one file of the library.
struct TruthFile {
  std::string path;      // relative to the library root
  std::string made_as;   // how it was made: "original", "ios-jpg", "windows-resave", ...
  std::string group;     // files the plan must place together share it; empty: placed alone
  std::string made_from; // the capture it was made from (for the figures); empty for junk
  std::string role;      // keeper, companion, raw-sidecar, duplicate, unknown-time, other
  std::string keeper;    // the "keeper" list --json must show (relative path); empty for none
  bool error = false;    // index must report an error for this file
  bool operator==(const TruthFile&) const = default;
};

struct MessyTruth {
  std::vector<TruthFile> files; // in path order
  std::size_t captures = 0;     // groups with a keeper
};

// Writes the library under `library` (created; must not hold files of another library) and
// returns its truth. Deterministic for given options, whatever the thread count (file contents
// of real-corpus conversions depend only on the corpus and the libraries' versions).
MessyTruth make_messy_library(const std::filesystem::path& library, const MessyOptions& options);

// The truth as TSV: a header line, then path, made_as, group, made_from, role, keeper, error
// (0/1) per file; paths are relative to the library root and never hold tabs or newlines.
void write_truth_tsv(const std::filesystem::path& file, const MessyTruth& truth);

} // namespace ipd::test
