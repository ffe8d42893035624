// The real binary's help, version and usage errors, checked against the command table
// (tools/table.hpp): every command's --help fits 80 columns and names every option; typos get
// "did you mean"; an option that takes a value may be given once.
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"
#include "tools/help.hpp"
#include "tools/table.hpp"

#include <doctest/doctest.h>

#include <exiv2/exiv2.hpp>
#include <libheif/heif.h>
#include <rocksdb/version.h>
#include <vips/vips.h>

#include <filesystem>
#include <sstream>

using namespace ipd;
using test::run_tool;
using test::TmpDir;

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

// The lines of `text` longer than 80 columns.
std::vector<std::string> too_wide(const std::string& text) {
  std::vector<std::string> wide;
  for (const auto& line : lines(text)) {
    if (line.size() > 80) {
      wide.push_back(line);
    }
  }
  return wide;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("help: the general help lists every command in one line each within 80 columns") {
  for (const auto& args : {std::vector<std::string>{"--help"}, {"help"}, {"-h"}}) {
    CAPTURE(args[0]);
    const auto r = run_tool(args);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(too_wide(r.out).empty());
    for (const auto& command : tools::commands()) {
      CAPTURE(command.name);
      CHECK(contains(r.out, "\n  " + std::string(command.name) + " "));
    }
  }
  // Without a command the same help goes to stderr, as a usage error.
  const auto r = run_tool({});
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  CHECK(r.err == run_tool({"--help"}).out);
}

TEST_CASE("help: every command's --help names each of its options within 80 columns as help COMMAND does") {
  for (const auto& command : tools::commands()) {
    const std::string name(command.name);
    CAPTURE(name);
    const auto r = run_tool({name, "--help"});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(too_wide(r.out).empty());
    CHECK(r.out.rfind("usage: iphone-photo-dedup " + name, 0) == 0);
    CHECK(contains(r.out, "  -h, --help  "));
    for (const auto& option : command.options) {
      CAPTURE(option.name);
      CHECK(contains(r.out, "\n  " + tools::option_label(option) + " "));
      CHECK(contains(r.out, std::string(option.help.substr(0, 20)))); // its sentence is there
    }
    CHECK(run_tool({"help", name}).out == r.out);
    CHECK(run_tool({name, "-h"}).out == r.out);
  }
  // Choices are named in the help.
  const auto list = run_tool({"list", "--help"}).out;
  for (const char* role : {"keeper", "companion", "raw-sidecar", "duplicate", "unknown-time", "other"}) {
    CHECK(contains(list, role));
  }
}

TEST_CASE("help: --version and version print the tool's version and the libraries' versions in use") {
  const auto r = run_tool({"--version"});
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(run_tool({"version"}).out == r.out);
  const auto got = lines(r.out);
  REQUIRE(got.size() >= 8);
  CHECK(got[0] == std::string("iphone-photo-dedup ") + IPD_VERSION);
  // The same libraries, asked the same way in this process, must give the same versions.
  auto line_of = [&](const std::string& library) {
    for (const auto& line : got) {
      if (line.rfind("  " + library + " ", 0) == 0) {
        const auto value = line.find_first_not_of(' ', library.size() + 2);
        return line.substr(value);
      }
    }
    return std::string("(missing)");
  };
  CHECK(line_of("libheif") == heif_get_version());
  CHECK(line_of("exiv2") == Exiv2::version());
  CHECK(line_of("RocksDB") == rocksdb::GetRocksVersionAsString());
  const std::string vips = line_of("libvips");
  CHECK(vips.rfind(std::string(vips_version_string()) + " (pixels module /", 0) == 0);
  CHECK(contains(vips, "libipd_pixels.so)"));
  for (const char* library : {"libfuse", "libmagic", "oneTBB"}) {
    CAPTURE(library);
    const std::string version = line_of(library);
    CHECK(!version.empty());
    CHECK(version.find_first_not_of("0123456789.") == std::string::npos);
    CHECK(contains(version, "."));
  }
  CHECK(run_tool({"version", "extra"}).status == 2);
}

TEST_CASE("help: a mistyped command or option gets 'did you mean' and an unknown option exits 2 naming it") {
  TmpDir tmp;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"indx", "in"}, "unknown command 'indx'; did you mean 'index'?"},
      {{"materilize", "out"}, "unknown command 'materilize'; did you mean 'materialize'?"},
      {{"mat"}, "did you mean 'materialize'?"},
      {{"help", "stauts"}, "unknown command 'stauts'; did you mean 'status'?"},
      {{"index", "in", "--ctalog", "c"}, "unknown option --ctalog; did you mean '--catalog'?"},
      {{"index", "in", "--full"}, "unknown option --full; did you mean '--full-compare'?"},
      {{"list", "--rol", "keeper"}, "unknown option --rol; did you mean '--role'?"},
      {{"mount", "mnt", "--forground"}, "unknown option --forground; did you mean '--foreground'?"},
      {{"materialize", "out", "--mode", "hardlnk"},
       "--mode takes hardlink, reflink, copy or symlink, not 'hardlnk'; did you mean 'hardlink'?"},
      {{"list", "--role", "keepers"}, "not 'keepers'; did you mean 'keeper'?"},
      {{"status", "--role", "keeper"}, "unknown option --role for this command (it is an option of list)"},
      {{"index", "in", "--frobnicate"}, "unknown option --frobnicate\n"},
      {{"--jobs", "2", "index", "in"}, "unknown option --jobs before the command: options go after it"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.args[0]);
    CAPTURE(c.message);
    const auto r = run_tool(c.args, tmp.path());
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_MESSAGE(contains(r.err, c.message), r.err);
  }
  CHECK(std::filesystem::is_empty(tmp.path())); // no catalog was made
}

TEST_CASE("help: an option that takes a value may be given once and flags take no value") {
  TmpDir tmp;
  std::filesystem::create_directories(tmp / "in");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"index", "in", "--catalog", "a", "--catalog", "b"},
       "--catalog given twice ('a', then 'b'): give it once"},
      {{"index", "in", "--catalog=a", "--catalog", "a"}, "--catalog given twice ('a', then 'a')"},
      {{"materialize", "out", "--mode", "copy", "--mode=symlink"},
       "--mode given twice ('copy', then 'symlink')"},
      {{"index", "in", "--jobs", "1", "--jobs", "2"}, "--jobs given twice"},
      {{"status", "--json=yes"}, "--json takes no value"},
      {{"index", "in", "--catalog"}, "--catalog needs a value (DIR)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    const auto r = run_tool(c.args, tmp.path());
    CHECK(r.status == 2);
    CHECK_MESSAGE(contains(r.err, c.message), r.err);
    CHECK(contains(r.err, "usage: iphone-photo-dedup " + c.args[0]));
  }
  CHECK(!std::filesystem::exists(tmp / "a"));
  CHECK(!std::filesystem::exists(tmp / "b"));
  CHECK(!std::filesystem::exists(tmp / "iphone-photo-dedup.catalog"));

  // A flag given twice is harmless; "--" ends the options, so "--help" after it is an operand.
  auto r = run_tool({"index", "in", "--rebuild", "--rebuild", "--catalog", "c"}, tmp.path());
  CHECK_MESSAGE(r.status == 0, r.err);
  r = run_tool({"explain", "--catalog", "c", "--", "--help"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--help: neither an input file nor a path in the view"));
}

TEST_CASE("help: nearest guesses only close names") {
  const std::vector<std::string_view> names{"index", "status", "list", "mount", "unmount", "materialize"};
  CHECK(tools::nearest("lst", names) == "list");
  CHECK(tools::nearest("unmoutn", names) == "unmount");
  CHECK(tools::nearest("st", names) == "status"); // the one name it begins
  CHECK(!tools::nearest("m", names));             // too short to guess from
  CHECK(!tools::nearest("mo", {"mount", "move"}));
  CHECK(!tools::nearest("frobnicate", names));
  CHECK(!tools::nearest("-x", {"-o", "-f"}));
}
