// review DIR through the real binary on a generated library, opened in headless Chromium: no
// console errors, every preview loads, the page's counts match `list --json`, every copy, file
// without a capture time and other file is on a page, and a command copied from the page works.
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipd;
using test::run_tool;
using test::TmpDir;
using test::write_file;
namespace fs = std::filesystem;

namespace {

const char* k_live_id = "6A1F0C2E-0000-4000-8000-00000000000A";

// Every kind of item the page shows, under `root`:
//   DCIM/IMG_0001.HEIC + .JPG          the JPG iOS converted (a copy), the HEIC turned a quarter
//   Win/IMG_0002.JPG + (Bob's copy)    a byte copy whose name needs quoting in a shell
//   DCIM/IMG_0003.HEIC + .MOV          a Live Photo
//   Burst/IMG_0004.JPG, IMG_0005.JPG   two frames of one instant: a near miss, shown once though
//   Burst/IMG_0004 (resaved).JPG       a copy of the first frame was kept apart from the second too
//   Screens/IMG_0200.PNG               no capture time; notes.txt: not a photo
//   broken.JPG (cut short), link.JPG (a symbolic link): not read, not served
void make_library(const fs::path& root) {
  auto turned =
      test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro", "6A1F0C2E-0000-4000-8000-000000000001");
  turned.orientation = 6;
  write_file(root / "DCIM/IMG_0001.HEIC", test::make_heic(320, 240, turned, 1));
  write_file(root / "DCIM/IMG_0001.JPG", test::make_jpeg(320, 240, turned, 1));
  const std::string win = test::make_jpeg(160, 120, test::iphone_exif("2021:06:01 10:00:00"), 2);
  write_file(root / "Win/IMG_0002.JPG", win);
  write_file(root / "Win/IMG_0002 (Bob's copy).JPG", win);
  write_file(
      root / "DCIM/IMG_0003.HEIC",
      test::make_heic(160, 120, test::iphone_exif("2021:06:02 09:00:00", "iPhone 12 Pro", k_live_id), 3));
  test::MovieSpec movie;
  movie.creation_date = "2021-06-02T09:00:00-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  movie.content_id = k_live_id;
  write_file(root / "DCIM/IMG_0003.MOV", test::make_mov(movie));
  write_file(root / "Burst/IMG_0004.JPG",
             test::make_jpeg(160, 120, test::iphone_exif("2021:06:03 12:00:00"), 4));
  write_file(root / "Burst/IMG_0004 (resaved).JPG",
             test::make_jpeg(160, 120, test::iphone_exif("2021:06:03 12:00:00"), 4, 70));
  write_file(root / "Burst/IMG_0005.JPG",
             test::make_jpeg(160, 120, test::iphone_exif("2021:06:03 12:00:00"), 5));
  write_file(root / "Screens/IMG_0200.PNG", test::make_png(40, 30, 6));
  write_file(root / "notes.txt", "not a photo");
  const std::string cut = test::make_jpeg(320, 240, test::iphone_exif("2021:07:01 10:00:00"), 7);
  write_file(root / "broken.JPG", cut.substr(0, cut.size() / 2));
  fs::create_symlink("Win/IMG_0002.JPG", root / "link.JPG");
}

test::RunResult tool(const TmpDir& tmp, std::vector<std::string> args) {
  args.push_back("--catalog");
  args.push_back("cat");
  auto r = run_tool(args, tmp.path());
  INFO(args[0] << ": " << r.out << r.err);
  return r;
}

// What `list --json` says: files by role, files with an error, files not in the view.
std::map<std::string, std::size_t> listed_counts(const TmpDir& tmp) {
  const auto r = tool(tmp, {"list", "--json"});
  REQUIRE(r.status == 0);
  std::map<std::string, std::size_t> counts;
  for (const auto& line : test::lines_of(r.out)) {
    ++counts["files"];
    ++counts[test::json_field(line, "role")];
    const bool error = !test::json_field(line, "error").empty();
    counts["errors"] += error ? 1 : 0;
    const bool served = !test::json_field(line, "view").empty();
    counts["not-in-view"] += served ? 0 : 1;
    counts["unreadable"] += error || !served ? 1 : 0;
  }
  return counts;
}

std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) {
        return candidate;
      }
    }
  }
  return {};
}

// A page that opens the review's index and every page it links to, each in a frame, and writes
// what it found into its own text as "name value" lines (file pages may read each other only
// with --allow-file-access-from-files).
constexpr std::string_view k_harness = R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>check</title></head><body><pre id="result"></pre>
<script>
const out = [];
const say = (name, value) => out.push(name + ' ' + value);
const load = (url) => new Promise((resolve) => {
  const frame = document.createElement('iframe');
  frame.onload = () => resolve(frame);
  frame.src = url;
  document.body.appendChild(frame);
});
(async () => {
  const index = await load('review/index.html');
  const links = new Set([...index.contentDocument.querySelectorAll('a[href^="pages/"]')].map(a => a.getAttribute('href')));
  const frames = [index];
  for (const link of links) frames.push(await load('review/' + link));
  for (const el of index.contentDocument.querySelectorAll('[data-count]')) say('count-' + el.dataset.count, el.textContent);
  const tally = {};
  const add = (name, n) => { tally[name] = (tally[name] || 0) + n; };
  let command = '';
  for (const frame of frames) {
    const doc = frame.contentDocument;
    add('images', doc.images.length);
    add('loaded', [...doc.images].filter(img => img.complete && img.naturalWidth > 0).length);
    add('capture-duplicates', doc.querySelectorAll('section.capture figure[data-role="duplicate"]').length);
    add('unknown-time-cards', doc.querySelectorAll('div.group > figure[data-role="unknown-time"]').length);
    add('other-rows', doc.querySelectorAll('tr[data-role="other"]').length);
    add('unreadable-rows', doc.querySelectorAll('tr[data-error]').length);
    add('near-misses', doc.querySelectorAll('section.near-miss').length);
    add('live', doc.querySelectorAll('section.live').length);
    for (const p of doc.querySelectorAll('section.near-miss > p')) say('near-miss-text', p.textContent);
    add('remote', [...doc.querySelectorAll('[src], [href]')].filter(e => /^[a-z]+:/i.test(e.getAttribute('src') || e.getAttribute('href'))).length);
    const copy = [...doc.querySelectorAll('section.capture figure[data-role="duplicate"]')]
      .find(f => f.textContent.includes("Bob's copy"));
    if (copy) command = copy.querySelector('code.cmd').textContent;
  }
  say('pages', frames.length);
  for (const name in tally) say(name, tally[name]);
  say('keep-command', command);
  say('done', 'yes');
  document.getElementById('result').textContent = out.join('\n');
})().catch(e => { document.getElementById('result').textContent = 'failed ' + e; });
</script></body></html>
)";

struct Opened {
  std::map<std::string, std::string> found; // "name value" lines of the harness
  std::string console;                      // the console messages Chromium logged
};

std::string unescape_html(std::string text) {
  for (const auto& [from, to] : {std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"}, std::pair{"&amp;", "&"}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) {
      text.replace(at, std::string_view(from).size(), to);
    }
  }
  return text;
}

Opened open_in_chromium(const std::string& chromium, const TmpDir& tmp) {
  write_file(tmp / "check.html", k_harness);
  const auto r =
      test::run_program({chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--user-data-dir=" + (tmp / "profile").string(), "--allow-file-access-from-files",
                         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=60000", "--dump-dom",
                         "file://" + (tmp / "check.html").string()});
  REQUIRE(r.status == 0);
  Opened opened;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.find(":CONSOLE") != std::string::npos) {
      opened.console += line + "\n";
    }
  }
  const auto begin = r.out.find("<pre id=\"result\">");
  const auto end = r.out.find("</pre>");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::istringstream lines(unescape_html(r.out.substr(begin + 17, end - begin - 17)));
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    opened.found[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  INFO(r.out.substr(begin, end - begin));
  REQUIRE(opened.found["done"] == "yes");
  return opened;
}

// The stat of every input file, to tell that review changed none (atime included).
std::map<std::string, std::string> input_stats(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    struct stat st {};
    REQUIRE(::lstat(entry.path().c_str(), &st) == 0);
    if (!S_ISREG(st.st_mode)) {
      continue; // a folder's atime is the walk's of this very function
    }
    std::ostringstream s;
    s << st.st_size << " " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec << " " << st.st_atim.tv_sec
      << "." << st.st_atim.tv_nsec << " " << st.st_ctim.tv_sec << "." << st.st_ctim.tv_nsec;
    out[entry.path().string()] = s.str();
  }
  return out;
}

std::size_t previews_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir / "thumbs")) {
    n += entry.path().extension() == ".jpg" ? 1 : 0;
  }
  return n;
}

} // namespace

TEST_CASE("review: the page opens in Chromium with every preview and counts that match list --json") {
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    MESSAGE("skipped: chromium is not installed (scripts/setup.sh installs Debian's chromium)");
    return;
  }
  TmpDir tmp;
  make_library(tmp / "in");
  REQUIRE(tool(tmp, {"index", "in"}).status == 1); // broken.JPG is cut short
  REQUIRE(tool(tmp, {"keep", "in/DCIM/IMG_0001.JPG"}).status == 0);
  const auto counts = listed_counts(tmp);
  const auto before = input_stats(tmp / "in");

  auto r = tool(tmp, {"review", "review"});
  INFO("review: " << r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("wrote review/index.html: " + std::to_string(counts.at("files")) +
                   " files, 3 captures with copies, 1 near misses, 1 Live Photos, 1 decisions") == 0);
  const std::size_t previews = previews_in(tmp / "review");
  CHECK(previews >= 6); // the stills of the captures, the Live Photo, the near miss and the PNG
  CHECK(r.out.find("previews: " + std::to_string(previews) + " made, ") !=
        std::string::npos); // one per content

  Opened page = open_in_chromium(chromium, tmp);
  auto& found = page.found;
  CHECK(page.console == "");
  CHECK(std::stoul(found["images"]) >= previews);
  CHECK(found["loaded"] == found["images"]);
  CHECK(found["remote"] == "0");
  for (const char* name : {"files", "keeper", "companion", "raw-sidecar", "duplicate", "unknown-time",
                           "other", "errors", "not-in-view"}) {
    CAPTURE(name);
    CHECK(found["count-" + std::string(name)] == std::to_string(counts.count(name) ? counts.at(name) : 0));
  }
  CHECK(found["capture-duplicates"] == std::to_string(counts.at("duplicate")));
  CHECK(found["unknown-time-cards"] == std::to_string(counts.at("unknown-time")));
  CHECK(found["other-rows"] == std::to_string(counts.at("other")));
  CHECK(found["unreadable-rows"] == std::to_string(counts.at("unreadable")));
  CHECK(found["count-list-unreadable"] == std::to_string(counts.at("unreadable")));
  CHECK(found["near-misses"] == "1");
  CHECK(found["near-miss-text"].find("1 more pair of copies of these two captures too") != std::string::npos);
  CHECK(found["count-near-misses"] == "1");
  CHECK(found["live"] == "1");
  CHECK(found["count-decisions"] == "1");

  // The command beside a copy, pasted into a shell, makes it the keeper.
  const std::string command = found["keep-command"];
  CHECK(command.find("iphone-photo-dedup keep ") == 0);
  CHECK(command.find("--catalog ") != std::string::npos);
  const std::string bin = fs::path(IPD_BINARY).parent_path().string();
  const auto pasted = test::run_program({"/bin/sh", "-c", "PATH=" + bin + ":$PATH " + command}, "/");
  INFO(pasted.out << pasted.err);
  CHECK(pasted.status == 0);
  const auto after_keep = tool(tmp, {"list", "--json", "--role", "keeper"});
  CHECK(after_keep.out.find("Win/IMG_0002 (Bob's copy).JPG") != std::string::npos);

  // A second run makes no preview again: the previews are the same contents.
  r = tool(tmp, {"review", "review"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find("previews: 0 made, ") != std::string::npos);
  CHECK(r.out.find(" already made, 0 no longer shown removed; 0.0 MB read") != std::string::npos);
  CHECK(r.out.find("2 decisions") != std::string::npos);
  CHECK(previews_in(tmp / "review") == previews);
  const auto after = input_stats(tmp / "in");
  for (const auto& [path, stat] : before) {
    CAPTURE(path);
    CHECK(after.at(path) == stat);
  }
}

TEST_CASE(
    "review: a folder inside an input root or the catalog is refused and the run writes nothing there") {
  TmpDir tmp;
  make_library(tmp / "in");
  REQUIRE(tool(tmp, {"index", "in"}).status == 1); // broken.JPG is cut short
  auto r = tool(tmp, {"review", "in/review"});
  CHECK(r.status == 2);
  CHECK(r.err.find("lies inside the input root") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "in/review"));
  r = tool(tmp, {"review", "cat/review"});
  CHECK(r.status == 2);
  CHECK(r.err.find("the catalog") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "cat/review"));
}
