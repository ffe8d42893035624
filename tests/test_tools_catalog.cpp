// The catalog as the commands guard it: one writer at a time, no half-made view served, and
// RocksDB's troubles told in words a user can act on.
#include "index/catalog/catalog.hpp"
#include "tests/support/media.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <sys/wait.h>
#include <thread>

using namespace ipd;
using test::run_tool;
using test::TmpDir;
using test::write_file;
namespace fs = std::filesystem;

namespace {

void make_library(const fs::path& root) {
  write_file(root / "IMG_0001.JPG", test::make_jpeg(64, 48, test::iphone_exif("2021:05:03 14:22:01"), 1));
  write_file(root / "IMG_0002.JPG", test::make_jpeg(64, 48, test::iphone_exif("2021:05:04 14:22:01"), 2));
  write_file(root / "notes.txt", "notes");
}

bool contains(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

} // namespace

TEST_CASE("regression: a second index while another holds the catalog exits 2 at once or waits with --wait") {
  TmpDir tmp;
  make_library(tmp / "in");
  const std::string cwd = tmp.path().string();
  REQUIRE(run_tool({"index", "in"}, cwd).status == 0);
  {
    // Another writer holds the catalog (as an index does from its walk to its plan's last write).
    auto writer = Catalog::open(tmp / "iphone-photo-dedup.catalog", Catalog::Access::read_write);
    write_file(tmp / "in/IMG_0003.JPG", test::make_jpeg(64, 48, test::iphone_exif("2021:05:05 14:22:01"), 3));
    const auto start = std::chrono::steady_clock::now();
    const auto second = run_tool({"index", "in"}, cwd);
    CHECK(second.status == 2);
    CHECK(contains(second.err, "another iphone-photo-dedup is using this catalog"));
    CHECK(contains(second.err, "--wait"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    // Readers are not kept out.
    CHECK(run_tool({"list"}, cwd).status == 0);

    auto waiting = std::async(std::launch::async, [&] { return run_tool({"index", "in", "--wait"}, cwd); });
    CHECK(waiting.wait_for(std::chrono::milliseconds(1500)) == std::future_status::timeout);
    writer.reset();
    const auto waited = waiting.get();
    CHECK(waited.status == 0);
    CHECK(contains(waited.out, "1 added"));
  }
}

TEST_CASE("regression: a catalog whose plan was cut short is not served as a view") {
  TmpDir tmp;
  make_library(tmp / "in");
  const std::string cwd = tmp.path().string();
  const fs::path catalog = tmp / "iphone-photo-dedup.catalog";
  SUBCASE("the first index was killed before its plan") {
    // The records are in, the plan is not: what a kill during the first plan leaves.
    Catalog::open(catalog, Catalog::Access::read_write);
  }
  SUBCASE("a re-index was killed between its reads and its plan") {
    REQUIRE(run_tool({"index", "in"}, cwd).status == 0);
    auto writer = Catalog::open(catalog, Catalog::Access::read_write);
    Catalog::Batch batch;
    batch.put_meta(meta_key::plan_pending, "1"); // what index writes with its first changed record
    writer->write(batch);
  }
  for (const std::vector<std::string>& command : {std::vector<std::string>{"list"},
                                                  {"list", "--json"},
                                                  {"explain", "in/IMG_0001.JPG"},
                                                  {"materialize", (tmp / "out").string()},
                                                  {"verify", (tmp / "out").string()},
                                                  {"keep", "in/IMG_0001.JPG"},
                                                  {"mount", (tmp / "mnt").string()}}) {
    INFO(command[0]);
    fs::create_directories(tmp / "mnt");
    const auto r = run_tool(command, cwd);
    CHECK(r.status == 2);
    CHECK(contains(r.err, "no complete view"));
    CHECK(contains(r.err, "index"));
    CHECK(r.out.empty());
  }
  CHECK_FALSE(fs::exists(tmp / "out"));
  // The next index completes the plan, and everything works again.
  REQUIRE(run_tool({"index", "in"}, cwd).status == 0);
  CHECK(run_tool({"list"}, cwd).status == 0);
  CHECK(run_tool({"explain", "in/IMG_0001.JPG"}, cwd).status == 0);
}

TEST_CASE("regression: a damaged catalog is named as such and --rebuild replaces it") {
  TmpDir tmp;
  make_library(tmp / "in");
  const std::string cwd = tmp.path().string();
  const fs::path catalog = tmp / "iphone-photo-dedup.catalog";
  REQUIRE(run_tool({"index", "in"}, cwd).status == 0);
  int damaged = 0;
  for (const auto& entry : fs::directory_iterator(catalog)) {
    if (entry.path().extension() == ".sst") {
      fs::resize_file(entry.path(), 10); // "file is too short to be an sstable"
      ++damaged;
    }
  }
  REQUIRE(damaged > 0);
  const auto list = run_tool({"list"}, cwd);
  CHECK(list.status == 2);
  CHECK(contains(list.err, "the catalog is damaged"));
  CHECK(contains(list.err, "--rebuild"));
  const auto rebuilt = run_tool({"index", "in", "--rebuild"}, cwd);
  CHECK(rebuilt.status == 0);
  CHECK(contains(rebuilt.out, "3 added"));
  CHECK(run_tool({"list"}, cwd).status == 0);
}

TEST_CASE("index killed at five points converges to the result of a run never killed") {
  TmpDir tmp;
  const auto root = tmp / "in";
  for (int i = 0; i < 60; ++i) {
    const std::string when =
        "2021:05:0" + std::to_string(1 + i % 9) + " 14:22:" + std::to_string(10 + i % 40);
    const std::string jpeg =
        test::make_jpeg(96, 64, test::iphone_exif(when.c_str()), static_cast<unsigned>(i));
    write_file(root / ("d" + std::to_string(i % 5)) / ("IMG_" + std::to_string(i) + ".JPG"), jpeg);
    if (i % 4 == 0) {
      write_file(root / "copies" / ("IMG_" + std::to_string(i) + " (1).JPG"), jpeg);
    }
  }
  const std::string cwd = tmp.path().string();
  REQUIRE(run_tool({"index", "in", "--catalog", "clean"}, cwd).status == 0);
  const auto clean = run_tool({"list", "--json", "--catalog", "clean"}, cwd).out;
  REQUIRE(!clean.empty());
  int killed = 0;
  for (const int ms : {5, 20, 40, 80, 150}) {
    const pid_t pid = test::start_program({IPD_BINARY, "index", "in", "--catalog", "killed"}, cwd);
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    killed += WIFSIGNALED(status) ? 1 : 0;
  }
  MESSAGE(killed << " of 5 runs were killed before they finished");
  const auto finished = run_tool({"index", "in", "--catalog", "killed"}, cwd);
  CHECK(finished.status == 0);
  CHECK(run_tool({"list", "--json", "--catalog", "killed"}, cwd).out == clean);
}

TEST_CASE("a catalog whose making was cut short is made again by index and readers say so") {
  TmpDir tmp;
  make_library(tmp / "in");
  const std::string cwd = tmp.path().string();
  // What a kill between the catalog's marker and its first record leaves.
  write_file(tmp / "iphone-photo-dedup.catalog/IPHONE-PHOTO-DEDUP", "iphone-photo-dedup catalog\n");
  write_file(tmp / "iphone-photo-dedup.catalog/LOCK", "");
  write_file(tmp / "iphone-photo-dedup.catalog/LOG", "");
  const auto list = run_tool({"list"}, cwd);
  CHECK(list.status == 2);
  CHECK(contains(list.err, "cut short"));
  const auto index = run_tool({"index", "in"}, cwd);
  CHECK(index.status == 0);
  CHECK(contains(index.out, "3 added"));
  CHECK(run_tool({"list"}, cwd).status == 0);
}
