// A thousand broken copies of generated media, indexed by the real binary as a user would: no
// crash, every input listed once, and no control character in anything shown to a person.
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/mutate.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

using namespace ipd;
using test::run_tool;
using test::TmpDir;

namespace {

constexpr int k_mutants = 1000;

struct Base {
  std::string ext;
  std::string bytes;
};

// Seven formats, each at eight capture instants of its own (so that the plan compares the
// mutants of one base with each other, not with all the others).
std::vector<Base> bases() {
  std::vector<Base> out;
  for (int s = 0; s < 8; ++s) {
    auto when = [s](int format) {
      char text[32];
      std::snprintf(text, sizeof text, "2021:05:03 10:%02d:%02d", s, format);
      return std::string(text);
    };
    test::ExifSpec exif = test::iphone_exif("", "iPhone 12 Pro", "602FEBB7-6B59-4799-96E6-9C8484D873C7");
    auto at = [&](int format) {
      exif.date_time_original = when(format);
      exif.orientation = s % 2 ? 6 : 1;
      return exif;
    };
    const auto seed = static_cast<unsigned>(s + 1);
    out.push_back({"JPG", test::make_jpeg(48, 32, at(0), seed)});
    out.push_back({"HEIC", test::make_heic(48, 32, at(1), seed)});
    out.push_back({"PNG", test::make_png(48, 32, seed, "2021-05-03T10:0" + std::to_string(s) + ":02")});
    out.push_back({"TIF", test::make_tiff(24, 16, at(3), seed)});
    out.push_back({"DNG", test::make_dng(24, 16, at(4), seed)});
    test::MovieSpec movie;
    movie.creation_date = "2021-05-03T10:0" + std::to_string(s) + ":05-0700";
    movie.make = "Apple";
    movie.model = "iPhone 12 Pro";
    movie.seconds = 0.2;
    out.push_back({"MOV", test::make_mov(movie)});
    movie.creation_date = "2021-05-03T10:0" + std::to_string(s) + ":06-0700";
    out.push_back({"MP4", test::make_mp4(movie)});
  }
  return out;
}

// Every line of a stderr of `index` is an error or a note about one file, or the line a finished
// pass prints when stderr is not a terminal ("reading files 1000/1000, 1.6 MB of 1.6 MB, ... in 0.1 s").
std::string first_stray_line(const std::string& err) {
  static const std::regex k_pass_line(R"(^[a-z' -]+ [0-9]+/[0-9]+(,? .*)? in [0-9]+\.[0-9] s$)");
  for (const std::string& line : test::lines_of(err)) {
    if (!line.starts_with("error: ") && !line.starts_with("note: ") && !std::regex_match(line, k_pass_line)) {
      return line;
    }
  }
  return {};
}

} // namespace

TEST_CASE(
    "mutants: a thousand broken media files are each listed once and shown without control characters") {
  TmpDir tmp;
  const auto root = std::filesystem::canonical(tmp.path()) / "in";
  const std::vector<Base> originals = bases();
  static const char* const k_exts[] = {"JPG", "HEIC", "PNG", "TIF", "DNG", "MOV", "MP4"};
  std::mt19937 rng(20240613);
  std::set<std::string> written;
  for (int i = 0; i < k_mutants; ++i) {
    const Base& base = originals[static_cast<std::size_t>(i) % originals.size()];
    const test::Mutant m = test::mutate(base.bytes, rng);
    // One in five gets another format's extension, as renamed downloads do.
    const std::string ext = rng() % 5 == 0 ? k_exts[rng() % std::size(k_exts)] : base.ext;
    char name[64];
    std::snprintf(name, sizeof name, "m%04d-%s.%s", i, m.what.c_str(), ext.c_str());
    test::write_file(root / name, m.bytes);
    written.insert((root / name).string());
  }
  REQUIRE(written.size() == k_mutants);

  const auto index = run_tool({"index", "in"}, tmp.path());
  CHECK((index.status == 0 || index.status == 1)); // no crash, no fatal error
  CHECK(test::first_control_character(index.out + index.err) == "");
  CHECK(first_stray_line(index.err) == "");

  const auto json = run_tool({"list", "--json"}, tmp.path());
  REQUIRE(json.status == 0);
  std::multiset<std::string> listed;
  for (const std::string& line : test::lines_of(json.out)) {
    listed.insert(test::json_field(line, "source"));
  }
  CHECK(listed.size() == k_mutants);
  CHECK(std::set<std::string>(listed.begin(), listed.end()) == written); // each once, none lost

  std::vector<std::string> errored;
  for (const std::string& line : test::lines_of(json.out)) {
    if (!test::json_field(line, "error").empty() && errored.size() < 10) {
      errored.push_back(test::json_field(line, "source"));
    }
  }
  CHECK(!errored.empty());
  std::vector<std::pair<std::string, test::RunResult>> shown;
  shown.emplace_back("status", run_tool({"status"}, tmp.path()));
  shown.emplace_back("list", run_tool({"list"}, tmp.path()));
  shown.emplace_back("materialize", run_tool({"materialize", "out"}, tmp.path()));
  for (const std::string& path : errored) {
    shown.emplace_back("explain " + path, run_tool({"explain", path}, tmp.path()));
  }
  for (const auto& [what, r] : shown) {
    INFO(what);
    CHECK(r.status == 0);
    CHECK(test::first_control_character(r.out + r.err) == "");
  }
  CHECK(test::first_control_character(test::read_file(tmp / "out/README.txt")) == "");
}
