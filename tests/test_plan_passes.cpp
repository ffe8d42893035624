// The plan's passes on hand-built records: no indexer, no catalog, no media files. What the plan
// would read of files comes from a FileContent that answers from memory.
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <sys/stat.h>

using namespace ipd;

namespace {

// File contents by path: a byte string (hashed) and a picture (a fingerprint).
class MemoryContent final : public FileContent {
public:
  std::map<std::string, std::string> bytes;
  std::map<std::string, Fingerprint> pictures;
  std::map<std::string, Sample> samples;
  std::atomic<int> reads{0};
  std::atomic<int> decodes{0}; // whole pictures
  std::atomic<int> sampled{0};

  std::uint64_t head_hash(const FileRecord& file, std::size_t n) override {
    ++reads;
    const auto it = bytes.find(file.path);
    return it == bytes.end() ? 0 : hash(it->second.substr(0, n));
  }
  std::uint64_t full_hash(const FileRecord& file) override {
    ++reads;
    const auto it = bytes.find(file.path);
    return it == bytes.end() ? 0 : hash(it->second);
  }
  bool fingerprint(const FileRecord& file, Fingerprint& out, std::string& error) override {
    ++decodes;
    const auto it = pictures.find(file.path);
    if (it == pictures.end()) {
      error = "no picture";
      return false;
    }
    out = it->second;
    return true;
  }
  bool sample(const FileRecord& file, Sample& out, std::string& error) override {
    ++sampled;
    const auto it = samples.find(file.path);
    if (it == samples.end()) {
      error = "no sample";
      return false;
    }
    out = it->second;
    return true;
  }
  double full_compare(const FileRecord&, const FileRecord&, std::string& error) override {
    error = "not used";
    return -1;
  }

private:
  static std::uint64_t hash(const std::string& s) { return std::hash<std::string>{}(s) | 1; }
};

// A 4:3 picture: a gradient with a pattern of `seed`; `noise` adds ±noise to every 4th pixel,
// which moves the distance to the original by about noise / 2.
Fingerprint picture(int seed, int noise = 0) {
  Fingerprint f;
  for (std::size_t i = 0; i < k_fingerprint_pixels; ++i) {
    int v = static_cast<int>((i * 7 + static_cast<std::size_t>(seed) * 131 + (i / 32) * seed) % 200) + 20;
    if (noise && i % 4 == 0) {
      v += (i / 4) % 2 ? noise : -noise;
    }
    f.grey[i] = static_cast<std::uint8_t>(v);
  }
  f.aspect = 4.0f / 3.0f;
  return f;
}

// A sample of a 4:3 picture with a pattern of `seed`; `noise` moves its distance by about noise/2.
Sample sample_of(int seed, int noise = 0) {
  Sample s;
  for (std::size_t i = 0; i < k_sample_values; ++i) {
    int v = static_cast<int>((i * 5 + static_cast<std::size_t>(seed) * 97) % 200) + 20;
    if (noise && i % 4 == 0) {
      v += (i / 4) % 2 ? noise : -noise;
    }
    s.grey[i] = static_cast<std::uint8_t>(v);
  }
  s.aspect = 4.0f / 3.0f;
  return s;
}

std::uint64_t g_next_ino = 1000;

FileRecord file(const std::string& path, Format format, std::uint64_t size = 1000) {
  FileRecord r;
  r.path = path;
  r.format = format;
  r.kind = kind_of(format);
  r.mode = S_IFREG | 0644;
  r.size = size;
  r.dev = 1;
  r.ino = ++g_next_ino;
  r.nlink = 1;
  r.mtime_ns = 1'600'000'000'000'000'000;
  return r;
}

// A photo from an iPhone 12 taken at 2021-05-03 14:22:01 (+ `second`), 4032x3024.
FileRecord photo(const std::string& path, Format format, int second = 0, std::uint64_t size = 1000) {
  FileRecord r = file(path, format, size);
  r.capture.source = TimeSource::exif_original;
  REQUIRE(parse_datetime("2021:05:03 14:22:01", r.capture));
  r.capture.local += second;
  r.make = "Apple";
  r.model = "iPhone 12";
  r.width = 4032;
  r.height = 3024;
  return r;
}

struct Planned {
  Plan plan;
  std::vector<FileRecord> records;
  const Placement& at(const std::string& path) const {
    for (const auto& p : plan.placements) {
      if (p.source == path) {
        return p;
      }
    }
    FAIL("no placement for " << path);
    return plan.placements.front();
  }
};

// Plans `records` (sorted into path order) under the root "/in", with the user's `decisions`.
Planned plan(std::vector<FileRecord> records, MemoryContent& content, PlanOptions options = {},
             const std::vector<Decision>& decisions = {}) {
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  Planned out;
  out.plan = make_plan(records, {"/in"}, options, decisions, content);
  out.records = std::move(records);
  return out;
}

} // namespace

TEST_CASE("rank: each rule decides only when the rules before it tie") {
  FileRecord heic = photo("/in/a/IMG_1.HEIC", Format::heic);
  FileRecord jpg = photo("/in/a/IMG_1.JPG", Format::jpeg);
  SUBCASE("format: the HEIC beats a larger, older JPG") {
    jpg.width = 8000;
    jpg.mtime_ns -= 1'000'000'000;
    CHECK(better(heic, jpg));
    CHECK(why_better(heic, jpg) == "original format HEIC over JPG");
  }
  SUBCASE("format: a DNG beats its HEIC; a MOV beats its MP4") {
    CHECK(better(photo("/in/x.DNG", Format::dng), heic));
    FileRecord mov = file("/in/v.MOV", Format::mov);
    FileRecord mp4 = file("/in/v.MP4", Format::mp4);
    CHECK(better(mov, mp4));
    CHECK_FALSE(better(mp4, mov));
  }
  SUBCASE("pixels: between two JPGs the full-resolution one wins") {
    FileRecord takeout = photo("/in/t/IMG_1.JPG", Format::jpeg);
    takeout.width = 2048;
    takeout.height = 1536;
    CHECK(better(jpg, takeout));
    CHECK(why_better(jpg, takeout) == "more pixels (4032x3024 over 2048x1536)");
  }
  SUBCASE("camera metadata: a MakerNote beats an importer's re-save") {
    FileRecord camera = jpg;
    camera.apple_makernote = true;
    camera.software = "17.4";
    FileRecord windows = jpg;
    windows.path = "/in/w/IMG_1.JPG";
    windows.software = "Microsoft Windows Photo Viewer";
    windows.mtime_ns -= 1'000'000'000; // older, but that is a later rule
    CHECK(better(camera, windows));
    CHECK(why_better(camera, windows).find("software \"Microsoft Windows Photo Viewer\"") !=
          std::string::npos);
  }
  SUBCASE("mtime, then path length, then path order") {
    FileRecord older = jpg;
    older.path = "/in/zzzz/IMG_1.JPG";
    older.mtime_ns -= 1;
    CHECK(better(older, jpg));
    CHECK(why_better(older, jpg) == "older file (downloaded first)");
    FileRecord longer = jpg;
    longer.path = "/in/a/b/IMG_1.JPG";
    CHECK(better(jpg, longer));
    CHECK(why_better(jpg, longer) == "shorter path");
    FileRecord later = jpg;
    later.path = "/in/b/IMG_1.JPG";
    CHECK(better(jpg, later));
    CHECK_FALSE(better(later, jpg));
    CHECK(why_better(jpg, later) == "path order");
  }
}

TEST_CASE("groups: a chain of agreeing pairs does not pull in a file that disagrees with the group") {
  // A–B agree closely, B–C loosely, A–C not at all: C stays out of {A, B}.
  const std::vector<AgreeingPair> agreeing = {{0, 1, 0.4, "close"}, {1, 2, 1.2, "loose"}};
  const auto root = group_pairs(3, agreeing);
  CHECK(root[0] == root[1]);
  CHECK(root[2] != root[0]);
  // When A–C agrees too, all three are one group, whatever order the pairs come in.
  const auto all = group_pairs(3, {{1, 2, 1.2, ""}, {0, 2, 0.9, ""}, {0, 1, 0.4, ""}});
  CHECK(all[0] == all[1]);
  CHECK(all[1] == all[2]);
}

TEST_CASE("plan: an edit that is close to a copy but not to the original is its own keeper") {
  MemoryContent content;
  // The camera's HEIC, a JPG converted from it, and a slightly touched-up render of the same
  // instant: the render is within the threshold of the JPG but not of the HEIC.
  auto heic = photo("/in/IMG_1.HEIC", Format::heic);
  auto jpg = photo("/in/IMG_1.JPG", Format::jpeg);
  auto render = photo("/in/render.JPG", Format::jpeg);
  content.pictures[heic.path] = picture(1);
  content.pictures[jpg.path] = picture(1, 2);    // about 1 from the HEIC
  content.pictures[render.path] = picture(1, 4); // about 1 from the JPG, 2 from the HEIC
  Fingerprint a = content.pictures[heic.path], b = content.pictures[jpg.path],
              c = content.pictures[render.path];
  REQUIRE(fingerprint_distance(a, b) < 1.5);
  REQUIRE(fingerprint_distance(b, c) < 1.5);
  REQUIRE(fingerprint_distance(a, c) >= 1.5);
  const auto p = plan({heic, jpg, render}, content);
  CHECK(p.at("/in/IMG_1.HEIC").role == Role::keeper);
  CHECK(p.at("/in/IMG_1.JPG").role == Role::duplicate);
  CHECK(p.at("/in/IMG_1.JPG").keeper == "/in/IMG_1.HEIC");
  CHECK(p.at("/in/render.JPG").role == Role::keeper);
  CHECK(content.decodes == 3);
}

TEST_CASE("plan: byte copies are found from hashes and hard links without reading them") {
  MemoryContent content;
  auto a = photo("/in/a/IMG_2.JPG", Format::jpeg);
  auto b = photo("/in/b/IMG_2.JPG", Format::jpeg);
  b.mtime_ns += 10; // the later download
  content.bytes[a.path] = content.bytes[b.path] = std::string(2000, 'x');
  auto linked = photo("/in/c/IMG_2.JPG", Format::jpeg);
  linked.ino = a.ino; // a hard link of a
  const auto p = plan({a, b, linked}, content);
  CHECK(p.at(a.path).role == Role::keeper);
  CHECK(p.at(b.path).role == Role::duplicate);
  CHECK(p.at(b.path).reason.find("byte-identical copy") != std::string::npos);
  CHECK(p.at(linked.path).role == Role::duplicate);
  CHECK(content.decodes == 0);
  CHECK(content.reads == 4); // a and b: head and whole; the link is not read
  CHECK(p.plan.stats.hashed == 2);
}

TEST_CASE("plan: a HEIC and its JPG with one content identifier and size are one capture unread") {
  MemoryContent content;
  auto heic = photo("/in/IMG_3.HEIC", Format::heic);
  auto jpg = photo("/in/IMG_3.JPG", Format::jpeg);
  heic.content_id = jpg.content_id = "5D1B0A4C-0000-4000-8000-000000000003";
  heic.apple_makernote = jpg.apple_makernote = true;
  const auto p = plan({heic, jpg}, content);
  CHECK(p.at(heic.path).role == Role::keeper);
  CHECK(p.at(jpg.path).role == Role::duplicate);
  CHECK(p.at(jpg.path).reason.find("same content identifier, instant and size") != std::string::npos);
  CHECK(content.decodes == 0);
  CHECK(p.plan.stats.settled_by_metadata == 1);
}

TEST_CASE("plan: other content identifiers or instants or devices keep files apart without pixels") {
  MemoryContent content;
  auto a = photo("/in/IMG_4.HEIC", Format::heic);
  auto other_id = photo("/in/IMG_4 (1).HEIC", Format::heic);
  a.content_id = "A";
  other_id.content_id = "B";
  auto other_second = photo("/in/IMG_5.HEIC", Format::heic, 1);
  auto other_device = photo("/in/DSC_4.HEIC", Format::heic);
  other_device.model = "iPhone 13";
  for (const auto* r : {&a, &other_id, &other_second, &other_device}) {
    content.pictures[r->path] = picture(4);
  }
  const auto p = plan({a, other_id, other_second, other_device}, content);
  for (const auto& placement : p.plan.placements) {
    CHECK(placement.role == Role::keeper);
  }
  CHECK(content.decodes == 0);
}

TEST_CASE("plan: Live Photo movies pair by content identifier or else by name within 3 s") {
  MemoryContent content;
  auto still = photo("/in/IMG_10.HEIC", Format::heic);
  auto movie = photo("/in/renamed.MOV", Format::mov);
  still.content_id = movie.content_id = "LIVE-10";
  movie.duration_ms = 2500;
  auto still2 = photo("/in/IMG_11.HEIC", Format::heic, 10);
  auto movie2 = photo("/in/IMG_11.MOV", Format::mov, 9); // a second before its still
  auto still3 = photo("/in/IMG_12.HEIC", Format::heic, 20);
  auto movie3 = photo("/in/IMG_12.MOV", Format::mov, 25); // 5 s apart: not its Live Photo
  const auto p = plan({still, movie, still2, movie2, still3, movie3}, content);
  CHECK(p.at(movie.path).role == Role::companion);
  CHECK(p.at(movie.path).keeper == still.path);
  CHECK(p.at(movie.path).view == "Apple iPhone 12/2021/2021-05/20210503_142201_IMG_10.MOV");
  CHECK(p.at(movie2.path).role == Role::companion);
  CHECK(p.at(movie2.path).reason.find("same name as its still") != std::string::npos);
  CHECK(p.at(movie3.path).role == Role::keeper);
}

TEST_CASE(
    "plan: sidecars follow the kept copy and a second one of a kind is a duplicate and orphans are other") {
  MemoryContent content;
  auto heic = photo("/in/a/IMG_20.HEIC", Format::heic);
  auto aae = file("/in/a/IMG_20.AAE", Format::aae, 300);
  auto original_aae = file("/in/a/IMG_O20.AAE", Format::aae, 310);
  auto copy = photo("/in/b/IMG_20.HEIC", Format::heic);
  copy.mtime_ns += 10;
  auto copy_aae = file("/in/b/IMG_20.AAE", Format::aae, 320);
  auto orphan = file("/in/c/IMG_99.AAE", Format::aae, 330);
  content.bytes[heic.path] = content.bytes[copy.path] = std::string(1000, 'h');
  for (const auto* r : {&aae, &original_aae, &copy_aae, &orphan}) {
    content.bytes[r->path] = r->path; // all different
  }
  const auto p = plan({heic, aae, original_aae, copy, copy_aae, orphan}, content);
  const std::string stem = "Apple iPhone 12/2021/2021-05/20210503_142201_IMG_20";
  CHECK(p.at(heic.path).view == stem + ".HEIC");
  CHECK(p.at(aae.path).role == Role::companion);
  CHECK(p.at(aae.path).view == stem + ".AAE");
  CHECK(p.at(original_aae.path).role == Role::companion);
  CHECK(p.at(original_aae.path).view == "Apple iPhone 12/2021/2021-05/20210503_142201_IMG_O20.AAE");
  CHECK(p.at(copy.path).role == Role::duplicate);
  CHECK(p.at(copy_aae.path).role == Role::duplicate);
  CHECK(p.at(copy_aae.path).keeper == heic.path);
  CHECK(p.at(copy_aae.path).view.rfind("duplicates/" + stem + " (", 0) == 0);
  CHECK(p.at(orphan.path).role == Role::other);
  CHECK(p.at(orphan.path).view == "other/in/c/IMG_99.AAE");
}

TEST_CASE("plan: view names never collide (not even by case) and reserved folder names stay free") {
  MemoryContent content;
  // Two distinct pictures of one second and stem in two folders, and one differing only in case.
  auto a = photo("/in/a/IMG_30.JPG", Format::jpeg);
  auto b = photo("/in/b/IMG_30.JPG", Format::jpeg);
  auto c = photo("/in/c/img_30.jpg", Format::jpeg);
  content.pictures[a.path] = picture(30);
  content.pictures[b.path] = picture(31);
  content.pictures[c.path] = picture(32);
  auto reserved = photo("/in/d/IMG_31.JPG", Format::jpeg, 50);
  reserved.make.clear();
  reserved.model = "Duplicates";
  const auto p = plan({a, b, c, reserved}, content);
  const std::string dir = "Apple iPhone 12/2021/2021-05/";
  CHECK(p.at(a.path).view == dir + "20210503_142201_IMG_30.JPG");
  CHECK(p.at(b.path).view == dir + "20210503_142201_IMG_30 (2).JPG");
  CHECK(p.at(c.path).view == dir + "20210503_142201_img_30 (3).JPG");
  CHECK(p.at(reserved.path).view == "Duplicates (device)/2021/2021-05/20210503_142251_IMG_31.JPG");
}

TEST_CASE("plan: files without a capture time and unreadable files and links have their own places") {
  MemoryContent content;
  auto untimed = file("/in/x/screenshot.PNG", Format::png);
  auto untimed_copy = file("/in/y/screenshot.PNG", Format::png);
  untimed_copy.mtime_ns += 10;
  content.bytes[untimed.path] = content.bytes[untimed_copy.path] = "png bytes";
  auto broken = photo("/in/x/broken.JPG", Format::jpeg);
  broken.error = "truncated: the file ends inside its image data";
  auto link = file("/in/x/link.JPG", Format::unknown);
  link.kind = Kind::symlink;
  link.mode = S_IFLNK | 0777;
  const auto p = plan({untimed, untimed_copy, broken, link}, content);
  CHECK(p.at(untimed.path).role == Role::unknown_time);
  CHECK(p.at(untimed.path).view == "unknown_time/in/x/screenshot.PNG");
  CHECK(p.at(untimed_copy.path).role == Role::duplicate);
  CHECK(p.at(untimed_copy.path).view == "duplicates/unknown_time/in/x/screenshot (2).PNG");
  CHECK(p.at(broken.path).role == Role::other);
  CHECK(p.at(broken.path).view == "other/in/x/broken.JPG");
  CHECK(p.at(link.path).view.empty());
  CHECK(p.plan.readme.find("broken.JPG: truncated") != std::string::npos);
}

TEST_CASE("regression: a device named like materialize's manifest gets a folder of its own") {
  MemoryContent content;
  auto a = photo("/in/IMG_40.JPG", Format::jpeg);
  a.make.clear();
  a.model = ".iphone-photo-dedup-materialized";
  auto b = photo("/in/IMG_41.JPG", Format::jpeg, 5);
  b.make.clear();
  b.model = ".IPHONE-photo-dedup-materialized.journal";
  auto c = photo("/in/IMG_42.JPG", Format::jpeg, 9);
  c.make.clear();
  c.model = ".iphone-photo-dedup-materialized photos"; // not the manifest's name: left as it is
  const auto p = plan({a, b, c}, content);
  CHECK(p.at(a.path).view ==
        ".iphone-photo-dedup-materialized (device)/2021/2021-05/20210503_142201_IMG_40.JPG");
  CHECK(p.at(b.path).view.rfind(".IPHONE-photo-dedup-materialized.journal (device)/", 0) == 0);
  CHECK(p.at(c.path).view.rfind(".iphone-photo-dedup-materialized photos/", 0) == 0);
}

TEST_CASE("plan: samples decide clear pairs and the band and an editor's file go to the whole pictures") {
  MemoryContent content;
  auto heic = photo("/in/IMG_50.HEIC", Format::heic);
  auto resave = photo("/in/w/IMG_50.JPG", Format::jpeg);
  resave.software = "Microsoft Windows Photo Viewer 6.1.7600.16385"; // re-encodes, edits nothing
  auto band = photo("/in/t/IMG_50.JPG", Format::jpeg);
  auto retouched = photo("/in/p/IMG_50.JPG", Format::jpeg);
  retouched.software = "Adobe Photoshop 25.0"; // may change a part the sample does not see
  auto other = photo("/in/o/IMG_50.JPG", Format::jpeg);
  content.samples[heic.path] = sample_of(50);
  content.samples[resave.path] = sample_of(50, 1);    // 0.5: clearly the same
  content.samples[band.path] = sample_of(50, 3);      // 1.5: in the band
  content.samples[retouched.path] = sample_of(50, 1); // 0.5, but an editor wrote it
  content.samples[other.path] = sample_of(51);        // clearly another picture
  content.pictures[heic.path] = picture(50);
  content.pictures[resave.path] = picture(50, 1);
  content.pictures[band.path] = picture(50, 2);      // the whole pictures agree
  content.pictures[retouched.path] = picture(50, 6); // ... and here they do not: a retouch
  content.pictures[other.path] = picture(51);
  const auto p = plan({heic, resave, band, retouched, other}, content);
  CHECK(p.at(resave.path).role == Role::duplicate);
  CHECK(p.at(resave.path).reason.find("from the sample: content distance 0.50") != std::string::npos);
  CHECK(p.at(band.path).role == Role::duplicate);
  CHECK(p.at(band.path).reason.find("from the whole picture") != std::string::npos);
  CHECK(p.at(band.path).reason.find("was in the band") != std::string::npos);
  CHECK(p.at(retouched.path).role == Role::keeper);
  CHECK(p.at(other.path).role == Role::keeper);
  // Whole pictures were decoded only for the files of pairs the samples left open: not the other.
  CHECK(content.sampled == 5);
  CHECK(content.decodes == 4);
  CHECK(p.plan.stats.pairs_in_band >= 1);
  CHECK(p.plan.stats.pairs_by_editor >= 1);
  CHECK(p.plan.stats.pairs_sample_different >= 1);
}

TEST_CASE("plan: the still pairs the content check refused are its near misses with their distances") {
  MemoryContent content;
  auto heic = photo("/in/IMG_60.HEIC", Format::heic);
  auto resave = photo("/in/w/IMG_60.JPG", Format::jpeg);
  auto retouched = photo("/in/p/IMG_60.JPG", Format::jpeg);
  retouched.software = "Adobe Photoshop 25.0";
  auto burst = photo("/in/b/IMG_61.JPG", Format::jpeg);
  auto crop = photo("/in/c/IMG_62.JPG", Format::jpeg);
  crop.width = crop.height = 3024;
  auto later = photo("/in/IMG_63.JPG", Format::jpeg, 1); // another instant: no candidate at all
  content.samples[heic.path] = sample_of(60);
  content.samples[resave.path] = sample_of(60, 1);
  content.samples[retouched.path] = sample_of(60, 1);
  content.samples[burst.path] = sample_of(61);
  content.pictures[heic.path] = picture(60);
  content.pictures[resave.path] = picture(60, 1);
  content.pictures[retouched.path] = picture(60, 6);
  const auto p = plan({heic, resave, retouched, burst, crop, later}, content);
  std::map<std::pair<std::string, std::string>, NearMiss> misses;
  for (const NearMiss& m : p.plan.near_misses) {
    CHECK(m.a < m.b);
    misses[{m.a, m.b}] = m;
  }
  // Every same-instant pair but the one that agreed (the HEIC and its re-save), and none with `later`.
  CHECK(misses.size() == 9);
  CHECK(misses.count({heic.path, resave.path}) == 0);
  for (const auto& [pair, m] : misses) {
    CHECK(pair.first != later.path);
    CHECK(pair.second != later.path);
  }
  const NearMiss& retouch = misses.at({heic.path, retouched.path});
  CHECK(retouch.sample == doctest::Approx(0.5).epsilon(0.2));
  CHECK(retouch.whole >= k_default_fingerprint_threshold);
  CHECK(retouch.why.find("from the whole picture: content distance") != std::string::npos);
  CHECK(retouch.why.find("not under 1.50") != std::string::npos);
  const NearMiss& frame = misses.at({heic.path, burst.path});
  CHECK(frame.sample > k_sample_different_above);
  CHECK(frame.whole == -1);
  CHECK(frame.why.find("from the sample: content distance") != std::string::npos);
  const NearMiss& cropped = misses.at({heic.path, crop.path});
  CHECK(cropped.sample == -1);
  CHECK(cropped.whole == -1);
  CHECK(cropped.why.find("other aspect ratios in the headers") != std::string::npos);
  // The pair that agreed says how, and why its keeper won, in fields of their own.
  CHECK(p.at(resave.path).role == Role::duplicate);
  CHECK(p.at(resave.path).same_as.find("from the sample: content distance 0.50") != std::string::npos);
  CHECK(p.at(resave.path).kept_because.find("original format HEIC over JPG") != std::string::npos);
  CHECK(p.at(heic.path).same_as.empty());
}

// ---- the user's decisions ---------------------------------------------------------------------

namespace {

// A decision on the content of `record`, whose bytes `content` holds, made at `made_ns`.
Decision decided(MemoryContent& content, const FileRecord& record, Verdict verdict, std::int64_t made_ns,
                 std::uint64_t set = 0) {
  const int reads = content.reads;
  Decision d{{record.size, content.full_hash(record)}, verdict, made_ns, set, record.path};
  content.reads = reads;
  return d;
}

constexpr std::int64_t k_day = 86'400'000'000'000LL;
constexpr std::int64_t k_2026 = 1'780'000'000'000'000'000LL; // 2026-05-28

// A HEIC and the JPG iOS converted it to (one content identifier and size: settled unread), and
// a byte copy of the JPG elsewhere, each with its own bytes.
struct Converted {
  FileRecord heic = photo("/in/a/IMG_7.HEIC", Format::heic, 0, 5000);
  FileRecord jpg = photo("/in/a/IMG_7.JPG", Format::jpeg, 0, 3000);
  FileRecord copy = photo("/in/b/IMG_7 (1).JPG", Format::jpeg, 0, 3000);
  explicit Converted(MemoryContent& content) {
    heic.content_id = jpg.content_id = copy.content_id = "CID-7";
    heic.apple_makernote = jpg.apple_makernote = copy.apple_makernote = true;
    copy.mtime_ns -= 10; // the older download: the ranking prefers it among the byte copies
    content.bytes[heic.path] = std::string(5000, 'h');
    content.bytes[jpg.path] = content.bytes[copy.path] = std::string(3000, 'j');
  }
  std::vector<FileRecord> all() const { return {heic, jpg, copy}; }
};

} // namespace

TEST_CASE("decisions: keep makes its file the keeper over every rule and says so") {
  MemoryContent content;
  Converted c(content);
  const auto rules = plan(c.all(), content);
  REQUIRE(rules.at(c.heic.path).role == Role::keeper);
  REQUIRE(rules.at(c.copy.path).role == Role::duplicate);

  const Decision keep = decided(content, c.jpg, Verdict::keep, k_2026);
  const auto p = plan(c.all(), content, {}, {keep});
  // The JPG it was made on is kept, though its byte copy is older and the HEIC the original.
  CHECK(p.at(c.jpg.path).role == Role::keeper);
  CHECK(p.at(c.jpg.path).reason == "kept: your decision (keep, " + decision_date(k_2026) +
                                       "); keeper of 3 files of this capture (2 duplicates)");
  CHECK(p.at(c.jpg.path).rules.find("your decision: keep") != std::string::npos);
  CHECK(p.at(c.heic.path).role == Role::duplicate);
  CHECK(p.at(c.heic.path).keeper == c.jpg.path);
  CHECK(p.at(c.heic.path).reason.find("kept: your decision (keep, ") != std::string::npos);
  CHECK(p.at(c.copy.path).role == Role::duplicate);
  REQUIRE(p.plan.decisions.size() == 1);
  CHECK(p.plan.decisions[0].note.empty());
  CHECK(p.plan.decisions[0].files.size() == 2); // the JPG and its byte copy: one content
}

TEST_CASE("decisions: keep follows the content when the file it was made on has moved") {
  MemoryContent content;
  Converted c(content);
  Decision keep = decided(content, c.jpg, Verdict::keep, k_2026);
  keep.path = "/old/place/IMG_7.JPG"; // moved since: only its byte copies are inputs now
  const auto p = plan(c.all(), content, {}, {keep});
  // Of the byte copies, the ranking picks: the older one.
  CHECK(p.at(c.copy.path).role == Role::keeper);
  CHECK(p.at(c.jpg.path).role == Role::duplicate);
  CHECK(p.at(c.heic.path).keeper == c.copy.path);
}

TEST_CASE("decisions: files of a decided size are hashed once and kept hashed") {
  MemoryContent content;
  auto a = photo("/in/IMG_8.JPG", Format::jpeg, 0, 4321); // alone of its size: the rules never hash it
  auto b = photo("/in/IMG_9.JPG", Format::jpeg, 5, 1234);
  content.bytes[a.path] = std::string(4321, 'a');
  content.bytes[b.path] = std::string(1234, 'b');
  std::vector<FileRecord> records{a, b};
  const Decision apart = decided(content, a, Verdict::apart, k_2026);
  const std::vector<Decision> decisions{apart};
  const Plan first = make_plan(records, {"/in"}, {}, decisions, content);
  CHECK(content.reads == 1); // a, the only file of a decided size
  CHECK(records[0].content_hash == apart.content.hash);
  CHECK(records[1].content_hash == 0);
  CHECK(first.updated == std::vector<std::size_t>{0}); // for the catalog to keep
  CHECK(first.decisions[0].files == std::vector<std::size_t>{0});
  make_plan(records, {"/in"}, {}, decisions, content);
  CHECK(content.reads == 1); // the kept hash: nothing read again
}

TEST_CASE("decisions: apart takes a file out of its capture and its byte copies stay with it") {
  MemoryContent content;
  Converted c(content);
  const Decision apart = decided(content, c.jpg, Verdict::apart, k_2026);
  const auto p = plan(c.all(), content, {}, {apart});
  CHECK(p.at(c.heic.path).role == Role::keeper);
  CHECK(p.at(c.heic.path).reason == "the only file of this capture");
  // The JPG content is its own capture: the older byte copy keeps it, the other is its duplicate.
  CHECK(p.at(c.copy.path).role == Role::keeper);
  CHECK(p.at(c.copy.path).reason.find("apart from other captures: your decision (apart, ") !=
        std::string::npos);
  CHECK(p.at(c.jpg.path).role == Role::duplicate);
  CHECK(p.at(c.jpg.path).keeper == c.copy.path);
  CHECK(p.at(c.jpg.path).reason.find("byte-identical copy") != std::string::npos);
  CHECK(p.at(c.heic.path).group != p.at(c.copy.path).group);
}

TEST_CASE("decisions: together makes one capture of files of other instants and devices") {
  MemoryContent content;
  auto original = photo("/in/a/IMG_20.JPG", Format::jpeg, 0, 2000);
  auto redated = photo("/in/b/IMG_20 edited date.JPG", Format::jpeg, 3600, 2100);
  redated.model = "iPhone 13"; // another device too
  redated.width = 2048;
  redated.height = 1536;
  auto converted = photo("/in/a/IMG_20.PNG", Format::png, 0, 2200); // agrees with the original by pixels
  content.pictures[original.path] = content.pictures[converted.path] = picture(20);
  for (const auto* r : {&original, &redated, &converted}) {
    content.bytes[r->path] = r->path;
  }
  const auto rules = plan({original, redated, converted}, content);
  REQUIRE(rules.at(redated.path).role == Role::keeper);
  REQUIRE(rules.at(converted.path).role == Role::duplicate);

  const std::uint64_t set = 77;
  const auto p = plan({original, redated, converted}, content, {},
                      {decided(content, original, Verdict::together, k_2026, set),
                       decided(content, redated, Verdict::together, k_2026, set)});
  // One capture of all three: the re-dated copy by the decision, the PNG by the rules it joined.
  // The ranking keeps the full-size JPG.
  CHECK(p.at(original.path).role == Role::keeper);
  CHECK(p.at(redated.path).role == Role::duplicate);
  CHECK(p.at(redated.path).keeper == original.path);
  CHECK(p.at(redated.path).reason.find("same capture: your decision (together, ") != std::string::npos);
  CHECK(p.at(converted.path).role == Role::duplicate);
  CHECK(p.at(converted.path).keeper == original.path);
  CHECK(p.at(converted.path).reason.find("content distance") != std::string::npos);
  CHECK(p.plan.stats.groups == 1);
}

TEST_CASE("decisions: of two keeps in one capture the latest wins and both are noted") {
  MemoryContent content;
  Converted c(content);
  const Decision earlier = decided(content, c.heic, Verdict::keep, k_2026);
  const Decision later = decided(content, c.jpg, Verdict::keep, k_2026 + k_day);
  for (const auto& decisions :
       {std::vector<Decision>{earlier, later}, std::vector<Decision>{later, earlier}}) {
    const auto p = plan(c.all(), content, {}, decisions);
    CHECK(p.at(c.jpg.path).role == Role::keeper);
    CHECK(p.at(c.heic.path).role == Role::duplicate);
    const std::size_t e = decisions[0] == earlier ? 0 : 1;
    CHECK(p.plan.decisions[e].note.find("overruled") != std::string::npos);
    CHECK(p.plan.decisions[e].note.find(c.jpg.path) != std::string::npos);
    CHECK(p.plan.decisions[1 - e].note.find("holds over an earlier `keep` on " + c.heic.path) !=
          std::string::npos);
  }
}

TEST_CASE("decisions: of apart and together on one file the later holds and both are noted") {
  MemoryContent content;
  auto a = photo("/in/IMG_30.JPG", Format::jpeg, 0, 2000);
  auto b = photo("/in/IMG_31.JPG", Format::jpeg, 40, 2100); // another instant: apart by the rules
  content.bytes[a.path] = "a";
  content.bytes[b.path] = "b";
  const Decision together_a = decided(content, a, Verdict::together, k_2026, 5);
  const Decision together_b = decided(content, b, Verdict::together, k_2026, 5);
  SUBCASE("apart later") {
    const Decision apart = decided(content, a, Verdict::apart, k_2026 + k_day);
    const auto p = plan({a, b}, content, {}, {together_a, together_b, apart});
    CHECK(p.at(a.path).role == Role::keeper);
    CHECK(p.at(b.path).role == Role::keeper);
    CHECK(p.plan.decisions[0].note.find("overruled by a later `apart` on this file") != std::string::npos);
    CHECK(p.plan.decisions[2].note.find("holds over an earlier `together`") != std::string::npos);
    CHECK(p.plan.decisions[1].note.find("no other file of its set") != std::string::npos);
  }
  SUBCASE("together later") {
    const Decision apart = decided(content, a, Verdict::apart, k_2026 - k_day);
    const auto p = plan({a, b}, content, {}, {apart, together_a, together_b});
    CHECK(p.at(b.path).role == Role::duplicate);
    CHECK(p.at(b.path).keeper == a.path); // by the ranking: every rule ties but the path order
    CHECK(p.plan.decisions[0].note.find("overruled by a later `together`") != std::string::npos);
  }
}

TEST_CASE("decisions: one on a content no input has is kept and noted and README.txt lists them") {
  MemoryContent content;
  Converted c(content);
  Decision gone{{999, 12345}, Verdict::keep, k_2026, 0, "/in/deleted/IMG_1.HEIC"};
  const Decision keep = decided(content, c.jpg, Verdict::keep, k_2026);
  const auto p = plan(c.all(), content, {}, {gone, keep});
  CHECK(p.plan.decisions[0].files.empty());
  CHECK(p.plan.decisions[0].note.find("no input file has this content now") != std::string::npos);
  CHECK(p.plan.readme.find("Your decisions (2)") != std::string::npos);
  CHECK(p.plan.readme.find("keep, " + decision_date(k_2026) + ": /in/deleted/IMG_1.HEIC") !=
        std::string::npos);
  CHECK(p.plan.readme.find("    keeper: " + p.at(c.jpg.path).view) != std::string::npos);
  CHECK(p.plan.readme.find("    duplicate: " + p.at(c.copy.path).view) != std::string::npos);
}

TEST_CASE("decisions: keep picks which byte copy of a file without a capture time stays") {
  MemoryContent content;
  auto shot = file("/in/x/screenshot.PNG", Format::png);
  auto copy = file("/in/y/screenshot.PNG", Format::png);
  copy.mtime_ns += 10;
  content.bytes[shot.path] = content.bytes[copy.path] = "png bytes";
  const auto p = plan({shot, copy}, content, {}, {decided(content, copy, Verdict::keep, k_2026)});
  CHECK(p.at(copy.path).role == Role::unknown_time);
  CHECK(p.at(copy.path).view == "unknown_time/in/y/screenshot.PNG");
  CHECK(p.at(copy.path).reason.find("kept of its byte copies: your decision (keep, ") != std::string::npos);
  CHECK(p.at(shot.path).role == Role::duplicate);
  CHECK(p.at(shot.path).keeper == copy.path);
}

namespace {

// A photo cut short that still shows part of its picture (what the indexer marks damaged).
FileRecord damaged(FileRecord r, std::uint8_t missing) {
  r.damaged = true;
  r.missing_percent = missing;
  r.error = "the file is cut short: " + std::to_string(missing) + " % of it is missing";
  return r;
}

// `r` with the subseconds an iPhone writes.
FileRecord with_subsec(FileRecord r) {
  REQUIRE(parse_subsec("123", r.capture));
  return r;
}

} // namespace

TEST_CASE("rank: an intact copy beats a damaged one whatever its format or mtime") {
  const FileRecord heic = damaged(photo("/in/a/IMG_1.HEIC", Format::heic), 40);
  FileRecord jpg = photo("/in/zz/IMG_1.JPG", Format::jpeg);
  jpg.mtime_ns += 1'000'000'000; // downloaded later
  jpg.width = 1024;              // and smaller
  jpg.height = 768;
  CHECK(better(jpg, heic));
  CHECK_FALSE(better(heic, jpg));
  CHECK(why_better(jpg, heic) == "intact over a damaged copy (the file is cut short: 40 % of it is missing)");
  // Of two damaged copies the one missing less wins.
  const FileRecord less = damaged(photo("/in/b/IMG_1.JPG", Format::jpeg), 10);
  CHECK(better(less, heic));
  CHECK(why_better(less, heic).starts_with("less damaged over a damaged copy"));
}

TEST_CASE("plan: a damaged photo alone is a dated keeper that says it is damaged") {
  MemoryContent content;
  const FileRecord cut = damaged(photo("/in/IMG_7.JPG", Format::jpeg), 30);
  const auto p = plan({cut}, content);
  const Placement& at = p.at(cut.path);
  CHECK(at.role == Role::keeper);
  CHECK(at.view == "Apple iPhone 12/2021/2021-05/20210503_142201_IMG_7.JPG");
  CHECK(at.reason.find("damaged: the file is cut short: 30 % of it is missing") != std::string::npos);
  CHECK(p.plan.readme.find("Damaged files (1)") != std::string::npos);
  CHECK(p.plan.readme.find(
            "20210503_142201_IMG_7.JPG (keeper): the file is cut short: 30 % of it is missing") !=
        std::string::npos);
  CHECK(p.plan.readme.find("Files that could not be read (0)") != std::string::npos);
}

TEST_CASE("plan: a damaged copy is a duplicate of the intact one and keeps no copy out of the group") {
  MemoryContent content;
  // The original, an importer's re-save (compared by its pixels) and a copy cut short, which
  // is settled by its headers alone: same instant to the subsecond, device and size.
  const FileRecord original = with_subsec(photo("/in/DCIM/IMG_8.JPG", Format::jpeg));
  FileRecord resave = with_subsec(photo("/in/Windows/IMG_8.JPG", Format::jpeg));
  resave.software = "Microsoft Windows Photo Viewer 6.1";
  const FileRecord cut = damaged(with_subsec(photo("/in/Downloads/IMG_8 (broken).JPG", Format::jpeg)), 40);
  content.samples[original.path] = sample_of(8);
  content.samples[resave.path] = sample_of(8, 1);
  const auto p = plan({original, resave, cut}, content);
  CHECK(p.at(original.path).role == Role::keeper);
  CHECK(p.at(resave.path).role == Role::duplicate);
  CHECK(p.at(cut.path).role == Role::duplicate);
  CHECK(p.at(cut.path).keeper == original.path);
  CHECK(p.at(cut.path).reason.find("intact over a damaged copy") != std::string::npos);
  CHECK(p.at(original.path).reason.find("keeper of 3 files") != std::string::npos);
  CHECK(content.sampled == 2); // the damaged copy's pixels are never read
  CHECK(p.plan.readme.find("(duplicate): the file is cut short: 40 % of it is missing") != std::string::npos);
  // Without subseconds (or a content identifier) its headers cannot tell: it stays on its own.
  FileRecord plain = photo("/in/b/IMG_9.JPG", Format::jpeg);
  FileRecord plain_cut = damaged(photo("/in/c/IMG_9 (broken).JPG", Format::jpeg), 40);
  const auto q = plan({plain, plain_cut}, content);
  CHECK(q.at(plain.path).role == Role::keeper);
  CHECK(q.at(plain_cut.path).role == Role::keeper);
}

TEST_CASE("rank: a camera's own RAW beats a DNG converted from it with a reason that says so") {
  FileRecord cr2 = photo("/in/CanonRaw.cr2", Format::cr2);
  cr2.make = "Canon";
  cr2.model = "Canon EOS 350D DIGITAL";
  cr2.width = 3456;
  cr2.height = 2304;
  FileRecord dng = cr2;
  dng.path = "/in/DNG.dng";
  dng.format = Format::dng;
  dng.width = 3516; // a converter's crop arithmetic: more pixels, not more picture
  dng.height = 2328;
  dng.mtime_ns -= 1'000'000'000;
  SUBCASE("it names its source") {
    dng.original_raw = "CRW_0001.CR2";
    CHECK(is_dng_conversion(dng));
    CHECK(better(cr2, dng));
    CHECK(why_better(cr2, dng) ==
          "the camera's own RAW CR2 over a DNG converted from it (OriginalRawFileName CRW_0001.CR2)");
  }
  SUBCASE("its camera writes no DNG of its own") {
    CHECK(is_dng_conversion(dng));
    CHECK(better(cr2, dng));
    CHECK(why_better(cr2, dng) ==
          "the camera's own RAW CR2 over a DNG converted from it (the Canon EOS 350D DIGITAL writes no DNG "
          "of its own)");
  }
  SUBCASE("the plan keeps the CR2 and says the DNG is a conversion") {
    MemoryContent content;
    const auto p = plan({cr2, dng}, content);
    CHECK(p.at(cr2.path).role == Role::keeper);
    CHECK(p.at(dng.path).role == Role::duplicate);
    CHECK(p.at(dng.path).reason.find("over a DNG converted from it") != std::string::npos);
    CHECK(p.at(cr2.path).reason.find("over a DNG converted from it") != std::string::npos);
  }
}

TEST_CASE("rank: Apple ProRAW and other cameras' own DNGs are no conversions") {
  FileRecord proraw = photo("/in/IMG_1.DNG", Format::dng);
  CHECK_FALSE(is_dng_conversion(proraw));
  proraw.make = "LEICA CAMERA AG";
  CHECK_FALSE(is_dng_conversion(proraw));
  proraw.make = "Apple";
  MemoryContent content;
  const FileRecord jpg = photo("/in/IMG_1.JPG", Format::jpeg);
  const auto p = plan({proraw, jpg}, content);
  CHECK(p.at(proraw.path).role == Role::keeper);
  CHECK(p.at(jpg.path).role == Role::raw_sidecar);
}

TEST_CASE("rank: between RAW files of one capture a few percent of pixels is not more pixels") {
  FileRecord a = photo("/in/a/IMG_1.CR2", Format::cr2);
  FileRecord b = photo("/in/b/IMG_1.CR2", Format::cr2);
  a.width = 3516;
  a.height = 2328;
  b.width = 3456;
  b.height = 2304;
  b.mtime_ns -= 1; // the older one wins: pixels do not decide
  CHECK(better(b, a));
  CHECK(why_better(b, a) == "older file (downloaded first)");
  // Between a RAW and an image, and between images, pixels still count.
  FileRecord small = photo("/in/c/IMG_1.JPG", Format::jpeg);
  FileRecord large = small;
  large.path = "/in/d/IMG_1.JPG";
  large.width = 4100;
  CHECK(better(large, small));
}
