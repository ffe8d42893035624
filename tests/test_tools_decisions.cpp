// The user's decisions through the real binary on a generated library: keep, apart and together
// change the view as stated and hold through a re-index, a renamed root and --rebuild; forget
// restores the rules' choice; conflicts are reported; what cannot be decided is refused.
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace ipd;
using test::run_tool;
using test::TmpDir;
using test::write_file;
namespace fs = std::filesystem;

namespace {

const char* k_id = "6A1F0C2E-0000-4000-8000-000000000001";

// Three captures under `root`, each with a copy the rules treat in their own way:
//   DCIM/IMG_0001.HEIC + .JPG               the JPG iOS converted: a duplicate of the HEIC
//   Win/IMG_0002.JPG + (resaved).JPG + copy a Windows re-save (and its byte copy): duplicates
//   Redated/IMG_0003.JPG + (redated).JPG    the same picture re-dated a year later: two keepers
void make_library(const fs::path& root) {
  const auto camera = test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro", k_id);
  write_file(root / "DCIM/IMG_0001.HEIC", test::make_heic(96, 64, camera, 1));
  write_file(root / "DCIM/IMG_0001.JPG", test::make_jpeg(96, 64, camera, 1));
  auto win = test::iphone_exif("2021:06:01 10:00:00", "iPhone 12 Pro");
  write_file(root / "Win/IMG_0002.JPG", test::make_jpeg(96, 64, win, 2));
  win.software = "Microsoft Windows Photo Viewer 6.1";
  const std::string resaved = test::make_jpeg(96, 64, win, 2, 70);
  write_file(root / "Win/IMG_0002 (resaved).JPG", resaved);
  write_file(root / "Win/IMG_0002 (resaved) copy.JPG", resaved);
  write_file(root / "Redated/IMG_0003.JPG",
             test::make_jpeg(96, 64, test::iphone_exif("2021:07:01 12:00:00", "iPhone 12 Pro"), 3));
  write_file(root / "Redated/IMG_0003 (redated).JPG",
             test::make_jpeg(96, 64, test::iphone_exif("2022:07:01 12:00:00", "iPhone 12 Pro"), 3));
  write_file(root / "notes.txt", "not a photo");
}

struct Row {
  std::string role, keeper, view, reason;
};

// Every input file (relative to `root`) with its role and its keeper (relative too).
std::map<std::string, Row> listed(const TmpDir& tmp, const std::string& root) {
  const auto r = run_tool({"list", "--json", "--catalog", "cat"}, tmp.path());
  REQUIRE(r.status == 0);
  const std::string prefix = fs::canonical(tmp / root).string() + "/";
  const auto relative = [&](const std::string& path) {
    return path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : path;
  };
  std::map<std::string, Row> out;
  for (const auto& line : test::lines_of(r.out)) {
    out[relative(test::json_field(line, "source"))] = {
        test::json_field(line, "role"), relative(test::json_field(line, "keeper")),
        test::json_field(line, "view"), test::json_field(line, "reason")};
  }
  return out;
}

test::RunResult tool(const TmpDir& tmp, std::vector<std::string> args) {
  args.push_back("--catalog");
  args.push_back("cat");
  auto r = run_tool(args, tmp.path());
  INFO(args[0] << ": " << r.out << r.err);
  return r;
}

// The rules' choice, with no decision.
void check_rules(const std::map<std::string, Row>& files) {
  CHECK(files.at("DCIM/IMG_0001.HEIC").role == "keeper");
  CHECK(files.at("DCIM/IMG_0001.JPG").role == "duplicate");
  CHECK(files.at("Win/IMG_0002.JPG").role == "keeper");
  CHECK(files.at("Win/IMG_0002 (resaved).JPG").keeper == "Win/IMG_0002.JPG");
  CHECK(files.at("Win/IMG_0002 (resaved) copy.JPG").keeper == "Win/IMG_0002.JPG");
  CHECK(files.at("Redated/IMG_0003.JPG").role == "keeper");
  CHECK(files.at("Redated/IMG_0003 (redated).JPG").role == "keeper");
}

// What keep IMG_0001.JPG, apart IMG_0002 (resaved).JPG and together IMG_0003* make of it.
void check_decided(const std::map<std::string, Row>& files) {
  CHECK(files.at("DCIM/IMG_0001.JPG").role == "keeper");
  CHECK(files.at("DCIM/IMG_0001.JPG").reason.find("kept: your decision (keep, ") == 0);
  CHECK(files.at("DCIM/IMG_0001.HEIC").role == "duplicate");
  CHECK(files.at("DCIM/IMG_0001.HEIC").keeper == "DCIM/IMG_0001.JPG");
  // Apart: its own capture, kept with its byte copy as its duplicate; the original alone.
  CHECK(files.at("Win/IMG_0002.JPG").role == "keeper");
  CHECK(files.at("Win/IMG_0002.JPG").reason == "the only file of this capture");
  CHECK(files.at("Win/IMG_0002 (resaved).JPG").role == "keeper");
  CHECK(files.at("Win/IMG_0002 (resaved).JPG")
            .reason.find("apart from other captures: your decision (apart, ") != std::string::npos);
  CHECK(files.at("Win/IMG_0002 (resaved) copy.JPG").keeper == "Win/IMG_0002 (resaved).JPG");
  // Together: one capture; the ranking keeps one (the older download).
  const Row& a = files.at("Redated/IMG_0003.JPG");
  const Row& b = files.at("Redated/IMG_0003 (redated).JPG");
  CHECK((a.role == "keeper") != (b.role == "keeper"));
  const Row& duplicate = a.role == "duplicate" ? a : b;
  CHECK(duplicate.reason.find("same capture: your decision (together, ") != std::string::npos);
}

} // namespace

TEST_CASE("decisions: keep apart and together hold through re-index and a renamed root and --rebuild") {
  TmpDir tmp;
  make_library(tmp / "in");
  REQUIRE(tool(tmp, {"index", "in"}).status == 0);
  auto files = listed(tmp, "in");
  check_rules(files);

  // An input path, a view path inside a mount or materialized tree, and input paths again.
  auto r = tool(tmp, {"keep", "in/DCIM/IMG_0001.JPG"});
  CHECK(r.status == 0);
  CHECK(r.out.find("keep: ") == 0);
  CHECK(r.out.find("re-planned in") != std::string::npos);
  CHECK(r.out.find("0 fingerprints computed") != std::string::npos);
  const std::string resaved_view = files.at("Win/IMG_0002 (resaved).JPG").view;
  CHECK(tool(tmp, {"apart", "/media/curated/" + resaved_view}).status == 0);
  CHECK(tool(tmp, {"together", "in/Redated/IMG_0003.JPG", "in/Redated/IMG_0003 (redated).JPG"}).status == 0);
  check_decided(listed(tmp, "in"));

  r = tool(tmp, {"explain", "in/DCIM/IMG_0001.JPG"});
  CHECK(r.out.find("reason:  kept: your decision (keep, ") != std::string::npos);
  CHECK(r.out.find("your decision: keep, ") != std::string::npos);
  r = tool(tmp, {"decisions", "--json"});
  CHECK(r.status == 0);
  CHECK(test::lines_of(r.out).size() == 4);
  CHECK(r.out.find("\"verdict\": \"together\"") != std::string::npos);
  r = tool(tmp, {"decisions"});
  CHECK(r.out.find("4 decisions\n") != std::string::npos);

  SUBCASE("a re-index keeps them") {
    r = tool(tmp, {"index", "in"});
    CHECK(r.out.find("the view is up to date") != std::string::npos);
    check_decided(listed(tmp, "in"));
  }
  SUBCASE("a renamed root, indexed afresh, and --rebuild keep them") {
    fs::rename(tmp / "in", tmp / "renamed");
    // Roots add up: the old name is a missing root until it is forgotten.
    REQUIRE(tool(tmp, {"index", "renamed", "--forget-root", "in"}).status == 0);
    check_decided(listed(tmp, "renamed"));
    r = tool(tmp, {"index", "renamed", "--rebuild"});
    REQUIRE(r.status == 0);
    CHECK(r.out.find("0 unchanged (not opened)") != std::string::npos); // afresh indeed
    CHECK(r.out.find("decisions: 4 of yours") != std::string::npos);
    check_decided(listed(tmp, "renamed"));

    // forget, by the files' paths now, restores the rules' choice.
    r = tool(tmp, {"forget", "renamed/DCIM/IMG_0001.JPG", "renamed/Win/IMG_0002 (resaved).JPG",
                   "renamed/Redated/IMG_0003.JPG"});
    CHECK(r.status == 0);
    CHECK(r.out.find("forgot together") != std::string::npos);
    check_rules(listed(tmp, "renamed"));
    r = tool(tmp, {"decisions"});
    CHECK(r.out.find("0 decisions") != std::string::npos); // the lone member of the set went too
  }
}

TEST_CASE("decisions: conflicting keeps are reported by index and decisions and the latest wins") {
  TmpDir tmp;
  make_library(tmp / "in");
  REQUIRE(tool(tmp, {"index", "in"}).status == 0);
  REQUIRE(tool(tmp, {"keep", "in/DCIM/IMG_0001.JPG"}).status == 0);
  REQUIRE(tool(tmp, {"keep", "in/DCIM/IMG_0001.HEIC"}).status == 0);
  auto files = listed(tmp, "in");
  CHECK(files.at("DCIM/IMG_0001.HEIC").role == "keeper");
  CHECK(files.at("DCIM/IMG_0001.JPG").keeper == "DCIM/IMG_0001.HEIC");
  const std::string heic = fs::canonical(tmp / "in/DCIM/IMG_0001.HEIC").string();
  auto r = tool(tmp, {"index", "in"});
  CHECK(r.out.find("decisions: 2 of yours") != std::string::npos);
  CHECK(r.out.find("note: keep " + fs::canonical(tmp / "in/DCIM/IMG_0001.JPG").string()) !=
        std::string::npos);
  CHECK(r.out.find("overruled: its file is one capture with " + heic) != std::string::npos);
  r = tool(tmp, {"decisions"});
  CHECK(r.out.find("2 decisions, 2 with a note") != std::string::npos);

  // apart after together on one file: apart holds, both noted.
  REQUIRE(tool(tmp, {"together", "in/Redated/IMG_0003.JPG", "in/Redated/IMG_0003 (redated).JPG"}).status ==
          0);
  REQUIRE(tool(tmp, {"apart", "in/Redated/IMG_0003.JPG"}).status == 0);
  files = listed(tmp, "in");
  CHECK(files.at("Redated/IMG_0003.JPG").role == "keeper");
  CHECK(files.at("Redated/IMG_0003 (redated).JPG").role == "keeper");
  r = tool(tmp, {"decisions"});
  CHECK(r.out.find("overruled by a later `apart` on this file") != std::string::npos);
  CHECK(r.out.find("holds over an earlier `together` on this file") != std::string::npos);
}

TEST_CASE("decisions: what cannot be decided is refused and nothing is recorded") {
  TmpDir tmp;
  make_library(tmp / "in");
  test::MovieSpec movie;
  movie.creation_date = "2021-07-01T12:00:00-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  write_file(tmp / "in/Redated/IMG_0004.MOV", test::make_mov(movie));
  CHECK(tool(tmp, {"keep", "in/DCIM/IMG_0001.JPG"}).status == 2); // no catalog yet, and none made
  CHECK_FALSE(fs::exists(tmp / "cat"));
  REQUIRE(tool(tmp, {"index", "in"}).status == 0);

  auto r = tool(tmp, {"keep", "in/DCIM/IMG_0001.JPG", "in/notes.txt", "in/nowhere.JPG"});
  CHECK(r.status == 2);
  CHECK(r.err.find("nothing was recorded") != std::string::npos);
  CHECK(r.err.find("notes.txt: not a photo or video") != std::string::npos);
  CHECK(r.err.find("nowhere.JPG: neither an input file nor a path in the view") != std::string::npos);
  r = tool(tmp, {"together", "in/Win/IMG_0002 (resaved).JPG", "in/Win/IMG_0002 (resaved) copy.JPG"});
  CHECK(r.status == 2);
  CHECK(r.err.find("byte copies of one another") != std::string::npos);
  r = tool(tmp, {"together", "in/Redated/IMG_0003.JPG", "in/Redated/IMG_0004.MOV"});
  CHECK(r.status == 2);
  CHECK(r.err.find("a photo and a movie") != std::string::npos);
  r = tool(tmp, {"together", "in/Redated/IMG_0003.JPG"});
  CHECK(r.status == 2);
  // A file changed since the index is not decided on: its content is not the catalog's.
  write_file(tmp / "in/Win/IMG_0002.JPG",
             test::make_jpeg(96, 64, test::iphone_exif("2021:06:01 10:00:00"), 9));
  r = tool(tmp, {"apart", "in/Win/IMG_0002.JPG"});
  CHECK(r.status == 2);
  CHECK(r.err.find("changed since the last index") != std::string::npos);
  r = tool(tmp, {"decisions"});
  CHECK(r.out.find("0 decisions") != std::string::npos);
  CHECK(tool(tmp, {"forget", "in/DCIM/IMG_0001.JPG"}).status == 1); // nothing to forget
}
