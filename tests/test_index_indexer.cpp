#include "index/catalog/catalog.hpp"
#include "index/core/io.hpp"
#include "index/core/record.hpp"
#include "index/read/indexer.hpp"
#include "tests/support/inputs.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>
#include <oneapi/tbb/task_arena.h>

#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipd;
using ipd::test::TmpDir;
using ipd::test::write_file;

namespace {

constexpr const char* k_live_id = "1C0FFEE0-0000-4000-8000-000000000001";

const char* k_aae = R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict><key>adjustmentFormatVersion</key><string>1.11</string></dict></plist>
)";

test::ExifSpec iphone_exif() {
  test::ExifSpec exif;
  exif.date_time_original = "2021:05:03 14:22:01";
  exif.subsec = "123";
  exif.offset = "-07:00";
  exif.make = "Apple";
  exif.model = "iPhone 12 Pro";
  exif.software = "14.5";
  exif.content_id = k_live_id;
  return exif;
}

// A small library as downloads leave one: a Live Photo (HEIC + MOV + AAE), the JPG iOS made
// from the HEIC, a movie named .jpg, a screenshot, a stripped copy, junk.
void make_library(const std::filesystem::path& root) {
  write_file(root / "DCIM/IMG_0001.HEIC", test::make_heic(64, 48, iphone_exif(), 1));
  write_file(root / "DCIM/IMG_0001.AAE", k_aae);
  test::MovieSpec movie;
  movie.creation_date = "2021-05-03T14:22:01-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  movie.content_id = k_live_id;
  write_file(root / "DCIM/IMG_0001.MOV", test::make_mov(movie));
  write_file(root / "Downloads/IMG_0001.JPG", test::make_jpeg(64, 48, iphone_exif(), 1));
  test::MovieSpec other = movie;
  other.content_id.clear();
  other.creation_date = "2020-01-02T03:04:05+0100";
  write_file(root / "Downloads/video.jpg", test::make_mov(other));
  write_file(root / "Screens/IMG_0002.PNG", test::make_png(40, 80, 2, "2015-09-27T16:29:28"));
  write_file(root / "Takeout/IMG_0003.jpg", test::make_jpeg(64, 48, {}, 3));
  write_file(root / "Takeout/.DS_Store", std::string("\0\0\0\1Bud1\0\0", 10));
  write_file(root / "notes.txt", "trip to the coast\n");
}

std::map<std::string, FileRecord> load(const Catalog& catalog) {
  std::map<std::string, FileRecord> out;
  catalog.for_each_file([&](FileRecord&& r) { out[r.path] = std::move(r); });
  return out;
}

struct Indexed {
  IndexReport report;
  std::map<std::string, FileRecord> records;
};

// Indexes `root` with `jobs` threads (0: one per core).
Indexed index(const std::filesystem::path& catalog_dir, const std::filesystem::path& root,
              unsigned jobs = 0) {
  auto catalog = Catalog::open(catalog_dir, Catalog::Access::read_write);
  IndexOptions options;
  options.roots = {root};
  Indexed out;
  tbb::task_arena arena(jobs ? static_cast<int>(jobs) : tbb::task_arena::automatic);
  arena.execute([&] { out.report = run_index(*catalog, options); });
  out.records = load(*catalog);
  return out;
}

} // namespace

TEST_CASE("index reads each file's true type and capture facts from its content") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  make_library(root);
  const auto [report, records] = index(tmp / "catalog", root);
  const auto r = [&, &records = records](const char* rel) { return records.at((root / rel).string()); };

  CHECK(report.files == 9);
  CHECK(report.errors.empty());
  CHECK(report.same_filesystem);

  const FileRecord heic = r("DCIM/IMG_0001.HEIC");
  CHECK(heic.kind == Kind::still);
  CHECK(heic.format == Format::heic);
  CHECK(format_iso8601(heic.capture) == "2021-05-03T14:22:01.123-07:00");
  CHECK(device_name(heic.make, heic.model) == "Apple iPhone 12 Pro");
  CHECK(heic.content_id == k_live_id);
  CHECK(heic.apple_makernote);
  CHECK(heic.width == 64);
  CHECK(heic.height == 48);

  const FileRecord jpg = r("Downloads/IMG_0001.JPG");
  CHECK(jpg.format == Format::jpeg);
  CHECK(format_iso8601(jpg.capture) == "2021-05-03T14:22:01.123-07:00");
  CHECK(jpg.content_id == k_live_id);

  const FileRecord mov = r("DCIM/IMG_0001.MOV");
  CHECK(mov.kind == Kind::movie);
  CHECK(mov.format == Format::mov);
  CHECK(format_iso8601(mov.capture) == "2021-05-03T14:22:01-07:00");
  CHECK(mov.content_id == k_live_id);
  CHECK(mov.model == "iPhone 12 Pro");

  const FileRecord disguised = r("Downloads/video.jpg");
  CHECK(disguised.kind == Kind::movie);
  CHECK(true_extension(disguised.format) == "MOV");
  CHECK(format_iso8601(disguised.capture) == "2020-01-02T03:04:05+01:00");

  CHECK(r("DCIM/IMG_0001.AAE").kind == Kind::sidecar);
  CHECK(r("DCIM/IMG_0001.AAE").format == Format::aae);
  const FileRecord png = r("Screens/IMG_0002.PNG");
  CHECK(png.format == Format::png);
  CHECK(format_iso8601(png.capture) == "2015-09-27T16:29:28");
  CHECK_FALSE(r("Takeout/IMG_0003.jpg").capture.known());
  CHECK(r("Takeout/IMG_0003.jpg").error.empty());
  CHECK(r("Takeout/.DS_Store").kind == Kind::other);
  CHECK(r("notes.txt").kind == Kind::other);
}

TEST_CASE("re-indexing an unchanged tree opens no input and picks up changes exactly") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  make_library(root);
  const auto first = index(tmp / "catalog", root);
  CHECK(first.report.opened == 9);
  CHECK(first.report.added == 9);

  const auto second = index(tmp / "catalog", root);
  CHECK(second.report.opened == 0);
  CHECK(second.report.unchanged == 9);
  CHECK(second.report.added + second.report.changed + second.report.removed == 0);
  CHECK(second.records == first.records);

  // One modified (a different capture written over it), one added, one deleted.
  auto exif = iphone_exif();
  exif.date_time_original = "2022:01:01 10:00:00";
  exif.content_id.clear();
  write_file(root / "Takeout/IMG_0003.jpg", test::make_jpeg(80, 60, exif, 7));
  write_file(root / "new/IMG_0100.HEIC", test::make_heic(64, 48, exif, 8));
  std::filesystem::remove(root / "notes.txt");

  const auto third = index(tmp / "catalog", root);
  CHECK(third.report.opened == 2);
  CHECK(third.report.changed == 1);
  CHECK(third.report.added == 1);
  CHECK(third.report.removed == 1);
  CHECK(third.report.unchanged == 7);
  CHECK(third.records.size() == 9);
  CHECK_FALSE(third.records.count((root / "notes.txt").string()));
  const FileRecord modified = third.records.at((root / "Takeout/IMG_0003.jpg").string());
  CHECK(format_iso8601(modified.capture) == "2022-01-01T10:00:00.123-07:00");
  CHECK(modified.width == 80);
  CHECK(third.records.at((root / "new/IMG_0100.HEIC").string()).format == Format::heic);
}

TEST_CASE("the catalog is the same whatever the number of threads") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  make_library(root);
  const auto one = index(tmp / "c1", root, 1);
  const auto many = index(tmp / "c2", root, 4);
  CHECK(one.records == many.records);
}

TEST_CASE("bad input: each bad file gets a clear error and every other file is indexed") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  const std::string heic = test::make_heic(64, 48, iphone_exif(), 1);
  const std::string jpeg = test::make_jpeg(64, 48, iphone_exif(), 1);
  test::MovieSpec spec;
  spec.creation_date = "2021-05-03T14:22:01-0700";
  const std::string mov = test::make_mov(spec);
  write_file(root / "good.HEIC", heic);
  write_file(root / "empty.JPG", "");
  for (double cut : {0.1, 0.5, 0.9}) {
    const auto n = [&](const std::string& s) {
      return static_cast<std::size_t>(static_cast<double>(s.size()) * cut);
    };
    const std::string tag = std::to_string(static_cast<int>(cut * 100));
    write_file(root / ("cut" + tag + ".HEIC"), heic.substr(0, n(heic)));
    write_file(root / ("cut" + tag + ".JPG"), jpeg.substr(0, n(jpeg)));
    write_file(root / ("cut" + tag + ".MOV"), mov.substr(0, n(mov)));
  }
  std::filesystem::create_directories(root / "loop");
  std::filesystem::create_directory_symlink("..", root / "loop" / "up");
  std::filesystem::create_directory_symlink(root / "loop", root / "loop" / "self");
  write_file(root / std::string("odd\nname\xff.JPG"), jpeg);

  const auto [report, records] = index(tmp / "catalog", root);
  CHECK(records.size() == 14);
  CHECK(records.at((root / "good.HEIC").string()).error.empty());
  CHECK(records.at((root / "empty.JPG").string()).error == "empty file (0 bytes)");
  for (const char* name : {"cut10.HEIC", "cut50.HEIC", "cut90.HEIC", "cut10.JPG", "cut50.JPG", "cut90.JPG",
                           "cut10.MOV", "cut50.MOV", "cut90.MOV"}) {
    INFO(name);
    const std::string& error = records.at((root / name).string()).error;
    CHECK(error.find("the file is cut short") != std::string::npos);
  }
  CHECK(records.at((root / "loop/up").string()).kind == Kind::symlink);
  CHECK(records.at((root / "loop/self").string()).link_target == (root / "loop").string());
  const FileRecord odd = records.at((root / std::string("odd\nname\xff.JPG")).string());
  CHECK(odd.error.empty());
  CHECK(odd.content_id == k_live_id);
  CHECK(report.errors.size() == 10);
}

TEST_CASE("indexing never writes to an input nor changes its times") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  make_library(root);
  test::age_atimes(root);
  const auto before = test::snapshot_inputs(root);

  // Watch every input directory for anything but reads.
  const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  REQUIRE(watch >= 0);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_directory()) {
      ::inotify_add_watch(watch, entry.path().c_str(),
                          IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_CREATE | IN_DELETE |
                              IN_MOVE);
    }
  }
  ::inotify_add_watch(watch, root.c_str(),
                      IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_CREATE | IN_DELETE |
                          IN_MOVE);

  index(tmp / "catalog", root);

  int reads = 0;
  int writes = 0;
  alignas(inotify_event) char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(watch, buf, sizeof buf)) > 0) {
    for (char* p = buf; p < buf + n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(p);
      if (event->mask & IN_CLOSE_NOWRITE) {
        ++reads;
      } else {
        ++writes;
        MESSAGE("unexpected change to an input: mask " << event->mask << " "
                                                       << (event->len ? event->name : ""));
      }
      p += sizeof(inotify_event) + event->len;
    }
  }
  ::close(watch);
  CHECK(reads >= 9);  // the watch saw the files being read ...
  CHECK(writes == 0); // ... and nothing else

  const auto after = test::snapshot_inputs(root);
  CHECK(after == before);
}

namespace {

// Folder `name` inside `dirfd` (made), opened.
int make_folder_at(int dirfd, const std::string& name) {
  ::mkdirat(dirfd, name.c_str(), 0755);
  return ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

// Removes everything below `dirfd` by descriptor (std::filesystem cannot, past PATH_MAX).
void remove_below(int dirfd) {
  DIR* d = ::fdopendir(::dup(dirfd));
  REQUIRE(d);
  std::vector<std::pair<std::string, bool>> entries;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") {
      entries.emplace_back(name, e->d_type == DT_DIR);
    }
  }
  ::closedir(d);
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) {
      const int sub = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      remove_below(sub);
      ::close(sub);
    }
    ::unlinkat(dirfd, name.c_str(), is_dir ? AT_REMOVEDIR : 0);
  }
}

} // namespace

TEST_CASE("regression: a file under a path longer than PATH_MAX is indexed and planned and materialized") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  std::filesystem::create_directories(root);
  const std::string png = test::make_png(40, 30, 7);
  std::string deep = root.string();
  {
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int level = 0; level < 25; ++level) { // 25 × 201 bytes: past PATH_MAX (4096)
      const std::string name = std::to_string(level) + std::string(200 - std::to_string(level).size(), 'd');
      const int next = make_folder_at(fd, name);
      REQUIRE(next >= 0);
      ::close(fd);
      fd = next;
      deep += "/" + name;
    }
    const int file = ::openat(fd, "bottom.PNG", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    REQUIRE(file >= 0);
    REQUIRE(::write(file, png.data(), png.size()) == static_cast<ssize_t>(png.size()));
    ::close(file);
    ::close(fd);
  }
  write_file(root / "IMG_0001.JPG", test::make_jpeg(32, 24, test::iphone_exif("2021:05:03 14:22:01"), 1));
  REQUIRE(deep.size() > 4096);
  const std::string cwd = tmp.path().string();
  const auto r = test::run_tool({"index", root.string(), "--catalog", "cat"}, cwd);
  CHECK(r.status == 0);
  CHECK(r.err.find("error") == std::string::npos);
  const auto list = test::run_tool({"list", "--json", "--catalog", "cat"}, cwd);
  std::string view;
  for (const auto& line : test::lines_of(list.out)) {
    if (test::json_field(line, "source") == deep + "/bottom.PNG") {
      CHECK(test::json_field(line, "role") == "unknown-time");
      view = test::json_field(line, "view");
    }
  }
  REQUIRE_MESSAGE(!view.empty(), "the deep file is not in the view");
  CHECK(view.rfind("unknown_time/in/0ddd", 0) == 0);
  const auto made = test::run_tool({"materialize", "out", "--catalog", "cat"}, cwd);
  CHECK(made.status == 0);
  CHECK(made.out.find("0 errors") != std::string::npos);
  // The materialized file is the input itself (one inode, two links).
  struct stat st {};
  CHECK(at_any_depth(tmp.path().string() + "/out/" + view, [&](int dirfd, const char* name) {
          return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
        }) == 0);
  CHECK(st.st_nlink == 2);
  CHECK(static_cast<std::size_t>(st.st_size) == png.size());
  for (const char* top : {"in", "out"}) {
    const int fd = ::open((tmp.path() / top).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    remove_below(fd);
    ::close(fd);
  }
}
