// The real binary, as a user runs it: exit statuses, messages, and what list and status print.
#include "index/catalog/catalog.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/mutate.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <map>
#include <pty.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ipd;
using test::run_tool;
using test::TmpDir;
using test::write_file;

namespace {

test::ExifSpec exif(const char* when) {
  test::ExifSpec e;
  e.date_time_original = when;
  e.make = "Apple";
  e.model = "iPhone 8";
  return e;
}

} // namespace

TEST_CASE("cli: index then list --json and status describe every file") {
  TmpDir tmp;
  write_file(tmp / "in/a/IMG_0001.JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  write_file(tmp / "in/b/IMG_0002.HEIC", test::make_heic(32, 24, exif("2019:07:02 11:00:00"), 2));
  write_file(tmp / "in/readme.txt", "hello");

  auto r = run_tool({"index", "in"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(r.out.find("indexed 3 files under 1 root") != std::string::npos);
  CHECK(std::filesystem::is_directory(tmp / "iphone-photo-dedup.catalog"));

  r = run_tool({"list", "--json"}, tmp.path());
  CHECK(r.status == 0);
  const auto rows = test::lines_of(r.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].find("\"kind\": \"still\"") != std::string::npos);
  CHECK(rows[0].find("\"capture\": \"2019-07-01T10:00:00\"") != std::string::npos);
  CHECK(rows[0].find("\"device\": \"Apple iPhone 8\"") != std::string::npos);
  CHECK(rows[1].find("\"format\": \"heic\"") != std::string::npos);
  CHECK(rows[2].find("\"kind\": \"other\"") != std::string::npos);

  r = run_tool({"status"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(r.out.find("3 files") != std::string::npos);
  CHECK(r.out.find("Apple iPhone 8") != std::string::npos);
  r = run_tool({"status", "--json"}, tmp.path());
  CHECK(r.out.find("\"devices\": {\"Apple iPhone 8\": 2}") != std::string::npos);

  // The second run reads nothing.
  r = run_tool({"index", "in"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(r.out.find("3 unchanged (not opened), 0 added, 0 changed, 0 removed; 0 files opened") !=
        std::string::npos);
}

TEST_CASE("cli: bad files are listed with their error and the rest indexed with exit status 1") {
  TmpDir tmp;
  const std::string jpeg = test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1);
  write_file(tmp / "in/good.JPG", jpeg);
  write_file(tmp / "in/cut.JPG", jpeg.substr(0, jpeg.size() / 2));
  write_file(tmp / "in/zero.HEIC", "");
  write_file(tmp / std::string("in/new\nline\xfe.JPG"), jpeg);
  auto r = run_tool({"index", "in", "--catalog", "cat"}, tmp.path());
  CHECK(r.status == 1);
  CHECK(r.err.find("/in/cut.JPG: the file is cut short") != std::string::npos);
  CHECK(r.err.find("/in/zero.HEIC: empty file (0 bytes)") != std::string::npos);
  CHECK(r.err.find("new") == std::string::npos); // the odd name had no error ...
  CHECK(r.out.find("indexed 4 files") != std::string::npos);
  CHECK(r.out.find("2 files had errors") != std::string::npos);
  r = run_tool({"list", "--catalog", "cat", "--json"}, tmp.path());
  CHECK(test::lines_of(r.out).size() == 4); // ... and its newline does not split a JSON line
  CHECK(r.out.find("new\\nline\\ufffd.JPG") != std::string::npos);
  CHECK(r.out.find("\"source_escaped\": ") != std::string::npos);
}

TEST_CASE("cli: a file the user cannot read is an error for that file only") {
  TmpDir tmp;
  const std::string jpeg = test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1);
  write_file(tmp / "in/ok.JPG", jpeg);
  write_file(tmp / "in/secret.JPG", jpeg);
  write_file(tmp / "in/locked/inside.JPG", jpeg);
  ::chmod((tmp / "in/secret.JPG").c_str(), 0);
  ::chmod((tmp / "in/locked").c_str(), 0);
  test::RunAs as;
  if (::geteuid() == 0) {
    // root reads everything: run as nobody, who may read the tree and write the catalog.
    as.uid = 65534;
    ::chmod(tmp.path().c_str(), 0777);
    for (const char* p : {"in", "in/ok.JPG"}) {
      ::chmod((tmp / p).c_str(), 0755);
    }
  }
  auto r = run_tool({"index", "in", "--catalog", "cat"}, tmp.path(), as);
  CHECK(r.status == 1);
  CHECK(r.err.find("secret.JPG: cannot open: Permission denied") != std::string::npos);
  CHECK(r.err.find("in/locked: cannot read directory: Permission denied") != std::string::npos);
  r = run_tool({"list", "--catalog", "cat"}, tmp.path(), as);
  CHECK(r.out.find("ok.JPG") != std::string::npos);
  CHECK(r.out.find("Apple iPhone 8/2019/2019-07/20190701_100000_ok.JPG") != std::string::npos);
}

TEST_CASE("cli: usage and fatal errors exit 2 with a clear message") {
  TmpDir tmp;
  auto r = run_tool({"indx", "x"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("did you mean 'index'?") != std::string::npos);
  r = run_tool({"index"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("name at least one folder") != std::string::npos);
  r = run_tool({"index", "missing"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("missing: No such file or directory") != std::string::npos);
  r = run_tool({"index", ".", "--jobs", "many"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("--jobs takes a whole number") != std::string::npos);
  r = run_tool({"index", ".", "--frobnicate"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown option --frobnicate") != std::string::npos);
  r = run_tool({"status"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("not found") != std::string::npos);

  write_file(tmp / "photos/IMG_1.JPG", "x");
  r = run_tool({"index", "photos", "--catalog", "photos"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("not an iphone-photo-dedup catalog") != std::string::npos);
  r = run_tool({"index", "photos", "--catalog", "photos", "--rebuild"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(test::read_file(tmp / "photos/IMG_1.JPG") == "x");
}

TEST_CASE("cli: --rebuild starts afresh and a catalog inside a root is not indexed") {
  TmpDir tmp;
  write_file(tmp / "in/IMG_0001.JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  auto r = run_tool({"index", "."}, (tmp / "in").string());
  CHECK(r.status == 0);
  CHECK(r.out.find("indexed 1 files") != std::string::npos);
  r = run_tool({"index", ".", "--rebuild"}, (tmp / "in").string());
  CHECK(r.status == 0);
  CHECK(r.out.find("0 unchanged (not opened), 1 added") != std::string::npos);
}

TEST_CASE("cli: explain answers for an input path and for a view path and list filters by role") {
  TmpDir tmp;
  test::ExifSpec e = exif("2019:07:01 10:00:00");
  e.subsec = "500";
  write_file(tmp / "in/DCIM/IMG_0001.HEIC", test::make_heic(320, 240, e, 1));
  write_file(tmp / "in/Downloads/IMG_0001.JPG", test::make_jpeg(320, 240, e, 1));
  auto r = run_tool({"index", "in"}, tmp.path());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("1 keepers") != std::string::npos);
  CHECK(r.out.find("1 duplicates") != std::string::npos);

  r = run_tool({"explain", "in/Downloads/IMG_0001.JPG"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(r.out.find("role:    duplicate") != std::string::npos);
  CHECK(r.out.find("keeper:  " + std::filesystem::canonical(tmp / "in/DCIM/IMG_0001.HEIC").string()) !=
        std::string::npos);
  CHECK(r.out.find("content distance") != std::string::npos);
  CHECK(r.out.find("original format HEIC over JPG") != std::string::npos);

  // A view path, also as it appears under a mount point or a materialized tree.
  const std::string view = "Apple iPhone 8/2019/2019-07/20190701_100000_IMG_0001.HEIC";
  for (const std::string& path : {view, "/mnt/photos/" + view}) {
    r = run_tool({"explain", path}, tmp.path());
    CHECK(r.status == 0);
    CHECK(r.out.find("role:    keeper") != std::string::npos);
    CHECK(r.out.find("capture group 1:") != std::string::npos);
  }
  r = run_tool({"explain", "nowhere.jpg"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(r.err.find("neither an input file nor a path in the view") != std::string::npos);

  r = run_tool({"list", "--role", "duplicate", "--json"}, tmp.path());
  CHECK(test::lines_of(r.out).size() == 1);
  CHECK(r.out.find("\"role\": \"duplicate\"") != std::string::npos);
  CHECK(r.out.find("\"view\": \"duplicates/Apple iPhone 8/2019/2019-07/20190701_100000_IMG_0001 (2).JPG\"") !=
        std::string::npos);
  r = run_tool({"list", "--role", "boss"}, tmp.path());
  CHECK(r.status == 2);

  // A stricter threshold re-plans from the kept samples (which it makes stricter too: the pair is
  // left to the whole pictures) and splits the pair.
  r = run_tool({"index", "in", "--threshold", "0.0001"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(r.out.find("0 pictures sampled") != std::string::npos); // the samples kept in the catalog
  CHECK(r.out.find("2 keepers") != std::string::npos);
}

TEST_CASE("regression: files not served are listed by path and README.txt's counts agree with list") {
  TmpDir tmp;
  write_file(tmp / "in/a/IMG_0001.JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  write_file(tmp / "in/a/IMG_0001 (1).JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  write_file(tmp / "in/notes.txt", "hello");
  write_file(tmp / "in/empty.JPG", "");
  REQUIRE(::mkfifo((tmp / "in/a pipe").c_str(), 0644) == 0);
  std::filesystem::create_symlink("a/IMG_0001.JPG", tmp / "in/link.JPG");
  REQUIRE(run_tool({"index", "in"}, tmp.path()).status == 1); // the empty file is an error
  REQUIRE(run_tool({"materialize", "out", "--mode", "copy"}, tmp.path()).status == 0);
  const std::string readme = test::read_file(tmp / "out/README.txt");
  std::map<std::string, int> listed;
  const auto list = run_tool({"list", "--json"}, tmp.path());
  for (const auto& line : test::lines_of(list.out)) {
    ++listed[test::json_field(line, "role")];
  }
  CHECK(listed["other"] == 4); // notes, the empty file, the FIFO and the link
  for (const char* role : {"keeper", "companion", "raw-sidecar", "duplicate", "unknown-time", "other"}) {
    CAPTURE(role);
    CHECK(readme.find("  " + std::string(role) + ": " + std::to_string(listed[role]) + "\n") !=
          std::string::npos);
  }
  CHECK(readme.find("not in the view (listed below): 2") != std::string::npos);
  const auto status = run_tool({"status"}, tmp.path());
  for (const std::string& text : {readme, status.out}) {
    CHECK(text.find("/in/a pipe: ") != std::string::npos);
    CHECK(text.find("/in/link.JPG: symbolic link") != std::string::npos);
  }
  CHECK(status.out.find("not in the view (symbolic links, FIFOs, sockets, devices, unreadable folders): 2") !=
        std::string::npos);
}

TEST_CASE("cli: roots add up over runs and a missing root keeps its files until --forget-root removes it") {
  TmpDir tmp;
  write_file(tmp / "lib/2019/IMG_0001.JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  write_file(tmp / "lib/2020/IMG_0002.JPG", test::make_jpeg(32, 24, exif("2020:07:01 10:00:00"), 2));
  REQUIRE(run_tool({"index", "lib/2019"}, tmp.path()).status == 0);
  const auto second = run_tool({"index", "lib/2020"}, tmp.path());
  REQUIRE(second.status == 0);
  CHECK(second.out.find("0 removed") != std::string::npos);
  CHECK(second.out.find("(added in this run)") != std::string::npos);
  const auto views = [&] {
    std::set<std::string> sources;
    for (const auto& line : test::lines_of(run_tool({"list", "--json"}, tmp.path()).out)) {
      if (!test::json_field(line, "view").empty()) {
        sources.insert(std::filesystem::path(test::json_field(line, "source")).filename().string());
      }
    }
    return sources;
  };
  CHECK(views() == std::set<std::string>{"IMG_0001.JPG", "IMG_0002.JPG"});
  const auto status = run_tool({"status"}, tmp.path());
  CHECK(status.out.find("roots (2):") != std::string::npos);
  // Unplugged: reported, and its files stay in the catalog and the view.
  std::filesystem::rename(tmp / "lib/2019", tmp / "lib/elsewhere");
  const auto missing = run_tool({"index"}, tmp.path());
  CHECK(missing.status == 0);
  CHECK(missing.out.find("2019 is missing") != std::string::npos);
  CHECK(missing.out.find("--forget-root") != std::string::npos);
  CHECK(missing.out.find("0 removed") != std::string::npos);
  CHECK(views() == std::set<std::string>{"IMG_0001.JPG", "IMG_0002.JPG"});
  CHECK(run_tool({"status"}, tmp.path()).out.find("(missing:") != std::string::npos);
  // Forgotten: gone from the catalog and the view.
  const auto forgot = run_tool({"index", "--forget-root", "lib/2019"}, tmp.path());
  CHECK(forgot.status == 0);
  CHECK(forgot.out.find("forgotten") != std::string::npos);
  CHECK(views() == std::set<std::string>{"IMG_0002.JPG"});
  const auto wrong = run_tool({"index", "--forget-root", "lib/nothing"}, tmp.path());
  CHECK(wrong.status == 2);
  CHECK(wrong.err.find("not a root of this catalog") != std::string::npos);
}

namespace {

// Runs the binary with `args` in `cwd` on a pseudo-terminal (its stdin, stdout and stderr), and
// returns everything it wrote there.
std::string run_on_terminal(const std::vector<std::string>& args, const std::string& cwd) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) {
      ::_exit(127);
    }
    std::vector<char*> argv{const_cast<char*>(IPD_BINARY)};
    for (const auto& arg : args) {
      argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    ::execv(IPD_BINARY, argv.data());
    ::_exit(127);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return out;
}

} // namespace

namespace {

// What a person sees of a catalog: status, list, explain of `input`, and the view's README.txt
// (materialized into `out`), each as one text.
std::vector<std::pair<std::string, std::string>> what_is_shown(const TmpDir& tmp, const std::string& input) {
  std::vector<std::pair<std::string, std::string>> shown;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"status"},
                                               {"status", "--json"},
                                               {"list"},
                                               {"list", "--json"},
                                               {"explain", input}}) {
    const auto r = run_tool(args, tmp.path());
    CHECK(r.status == 0);
    shown.emplace_back(args[0] + (args.size() > 1 ? " " + args[1] : std::string()), r.out + r.err);
  }
  const auto r = run_tool({"materialize", "out"}, tmp.path());
  CHECK(r.status == 0);
  shown.emplace_back("materialize", r.out + r.err);
  shown.emplace_back("README.txt", test::read_file(tmp / "out/README.txt"));
  return shown;
}

} // namespace

TEST_CASE("cli: on a terminal index draws a bar through the content checks and piped only plain lines") {
  TmpDir tmp;
  for (int i = 0; i < 12; ++i) {
    const std::string when = "2021:05:03 14:22:" + std::to_string(10 + i);
    const auto e = test::iphone_exif(when.c_str());
    write_file(tmp / "in/DCIM" / ("IMG_" + std::to_string(i) + ".HEIC"), test::make_heic(256, 192, e, i));
    write_file(tmp / "in/Win" / ("IMG_" + std::to_string(i) + ".JPG"), test::make_jpeg(256, 192, e, i, 80));
  }
  const std::string terminal = run_on_terminal({"index", "in", "--catalog", "on-tty"}, tmp.path().string());
  CHECK(terminal.find("\r\033[K[") != std::string::npos); // a bar, redrawn in place
  CHECK(terminal.find("sampling pictures") != std::string::npos);
  CHECK(terminal.find("reading files") != std::string::npos);
  const auto piped = run_tool({"index", "in", "--catalog", "piped"}, tmp.path());
  CHECK(piped.status == 0);
  CHECK(piped.err.find("sampling pictures 24/24") != std::string::npos); // one line per pass
  for (const std::string* text : {&piped.out, &piped.err}) {
    for (const char c : *text) {
      CHECK_MESSAGE((static_cast<unsigned char>(c) >= 0x20 || c == '\n'), "control byte " << int(c));
    }
  }
}

TEST_CASE("regression: a garbled box type does not reach the terminal") {
  // A HEIC whose last box has the type "\n\xb8\x1b[" and is cut short: its error used to carry
  // the newline and the escape raw into stderr, status, list, explain and README.txt. Such a
  // type is no box's (issue 13.7): the file is corrupt, and the error quotes none of its bytes.
  TmpDir tmp;
  const std::string heic = test::make_heic(64, 48, exif("2019:07:01 10:00:00"), 3);
  const auto boxes = test::bmff_boxes(heic);
  REQUIRE(boxes.size() >= 2);
  const std::string garbled = test::with_box_type(heic, boxes.size() - 1, "\n\xb8\x1b[");
  write_file(tmp / "in/IMG_0003.HEIC", garbled.substr(0, garbled.size() - 10));
  const std::string escaped =
      "corrupt: the box at byte " + std::to_string(boxes.back().at) + " has no valid type";

  const auto r = run_tool({"index", "in"}, tmp.path());
  CHECK(r.status == 1);
  CHECK(r.err.find("IMG_0003.HEIC: " + escaped) != std::string::npos);
  CHECK(test::first_control_character(r.out + r.err) == "");
  for (const auto& [what, text] : what_is_shown(tmp, "in/IMG_0003.HEIC")) {
    INFO(what, ": ", text);
    CHECK(test::first_control_character(text) == "");
    if (what != "list --json" && what != "status --json" && what != "materialize") {
      CHECK(text.find(escaped) != std::string::npos);
    }
  }
}

TEST_CASE("regression: control characters in a camera's make and model do not reach the terminal") {
  TmpDir tmp;
  test::ExifSpec e = exif("2019:07:01 10:00:00");
  e.make = "Evil\x1b]0;owned\x07";
  e.model = "Cam\x1b[2J\xc2\x9b"
            "31m";
  write_file(tmp / "in/IMG_0004.JPG", test::make_jpeg(64, 48, e, 4));
  const auto r = run_tool({"index", "in"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(test::first_control_character(r.out + r.err) == "");
  for (const auto& [what, text] : what_is_shown(tmp, "in/IMG_0004.JPG")) {
    INFO(what, ": ", text);
    CHECK(test::first_control_character(text) == "");
  }
  const auto status = run_tool({"status"}, tmp.path());
  CHECK(status.out.find("Evil\\x1b]0;owned\\x07 Cam\\x1b[2J\\xc2\\x9b31m") != std::string::npos);
}

TEST_CASE(
    "regression: a file whose only date is IFD0 DateTime goes to unknown_time unless a camera confirms it") {
  TmpDir tmp;
  test::ExifSpec saved;
  saved.date_time = "2010:03:04 10:20:30";
  saved.software = "Mac OS X 10.6.8";
  write_file(tmp / "in/scan.tif", test::make_tiff(24, 16, saved, 1));
  test::ExifSpec camera = saved;
  camera.make = "NIKON CORPORATION";
  camera.model = "NIKON D70";
  write_file(tmp / "in/DSC_0001.JPG", test::make_jpeg(24, 16, camera, 2));
  REQUIRE(run_tool({"index", "in"}, tmp.path()).status == 0);
  std::map<std::string, std::string> view;
  for (const auto& line : test::lines_of(run_tool({"list", "--json"}, tmp.path()).out)) {
    view[std::filesystem::path(test::json_field(line, "source")).filename().string()] =
        test::json_field(line, "view");
  }
  CHECK(view["scan.tif"].starts_with("unknown_time/"));
  CHECK(view["DSC_0001.JPG"] == "NIKON D70/2010/2010-03/20100304_102030_DSC_0001.JPG");
  const auto saved_explained = run_tool({"explain", "in/scan.tif"}, tmp.path());
  CHECK(
      saved_explained.out.find("capture: (none: EXIF DateTime 2010-03-04T10:20:30 is when the file was last "
                               "saved") != std::string::npos);
  CHECK(saved_explained.out.find("its only date, EXIF DateTime, is when it was last saved") !=
        std::string::npos);
  const auto camera_explained = run_tool({"explain", "in/DSC_0001.JPG"}, tmp.path());
  CHECK(
      camera_explained.out.find("capture: 2010-03-04T10:20:30 (EXIF DateTime, confirmed by the camera's make "
                                "and model") != std::string::npos);
}

TEST_CASE("cli: a catalog read by another version of the readers has every file read again once") {
  TmpDir tmp;
  write_file(tmp / "in/IMG_0001.JPG", test::make_jpeg(32, 24, exif("2019:07:01 10:00:00"), 1));
  write_file(tmp / "in/IMG_0002.JPG", test::make_jpeg(32, 24, exif("2019:07:02 10:00:00"), 2));
  REQUIRE(run_tool({"index", "in"}, tmp.path()).status == 0);
  CHECK(run_tool({"index"}, tmp.path()).out.find("0 files opened") != std::string::npos);
  {
    auto catalog = ipd::Catalog::open(tmp / ipd::k_default_catalog, ipd::Catalog::Access::read_write);
    ipd::Catalog::Batch batch;
    batch.put_meta(ipd::meta_key::readers, "1");
    catalog->write(batch);
  }
  const auto again = run_tool({"index"}, tmp.path());
  CHECK(again.status == 0);
  CHECK(again.out.find("2 changed") != std::string::npos);
  CHECK(again.out.find("2 files opened") != std::string::npos);
  CHECK(again.out.find("every file read again") != std::string::npos);
  CHECK(run_tool({"index"}, tmp.path()).out.find("0 files opened") != std::string::npos);
}

TEST_CASE("cli: hostile makes and models stay inside the view and are all materialized") {
  // Names from metadata: escapes, absolute paths, control characters, 300 bytes, and every
  // name the view or materialize reserves.
  TmpDir tmp;
  const std::vector<std::string> models = {
      "../../escape",        "/etc/passwd", "a/b",
      "bad\x01name\n",       "..",          ".",
      std::string(300, 'M'), "duplicates",  "other",
      "unknown_time",        "README.txt",  ".iphone-photo-dedup-materialized"};
  for (std::size_t i = 0; i < models.size(); ++i) {
    test::ExifSpec e = exif("2019:07:01 10:00:00");
    e.make = i % 2 ? "" : "Make";
    e.model = models[i];
    write_file(tmp / "in" / ("IMG_" + std::to_string(i) + ".JPG"), test::make_jpeg(32, 24, e, 50 + i));
  }
  REQUIRE(run_tool({"index", "in"}, tmp.path()).status == 0);
  std::set<std::string> views;
  for (const auto& line : test::lines_of(run_tool({"list", "--json"}, tmp.path()).out)) {
    const std::string view = test::json_field(line, "view");
    CHECK(!view.empty());
    views.insert(view);
  }
  CHECK(views.size() == models.size());
  const auto made = run_tool({"materialize", "out"}, tmp.path());
  CHECK_MESSAGE(made.status == 0, made.err);
  const auto out = std::filesystem::canonical(tmp / "out");
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    CHECK(entry.path().filename().string().size() <= 255);
    const auto rel = std::filesystem::relative(entry.path(), out).string();
    CHECK(rel.find("..") != 0);
    for (const char c : rel) {
      CHECK(static_cast<unsigned char>(c) >= 0x20);
    }
    if (entry.is_regular_file() && entry.path().extension() == ".JPG") {
      ++files;
      CHECK(views.count(rel) == 1);
    }
  }
  CHECK(files == models.size());
  CHECK(!std::filesystem::exists(tmp / "escape"));
  CHECK(std::filesystem::is_regular_file(out / ".iphone-photo-dedup-materialized"));
  CHECK(std::filesystem::is_regular_file(out / "README.txt"));
}
