// verify: "may I delete my inputs now?" for a materialized tree, through the real binary — both
// answers right after materialize, the files that hold each up, and nothing written or touched.
#include "index/materialize/materialize.hpp"
#include "tests/support/inputs.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/library.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipd;
using test::run_tool;
using test::TmpDir;
namespace fs = std::filesystem;

namespace {

const std::string k_yes_inputs = "1. safe to delete the input folders? yes";
const std::string k_no_inputs = "1. safe to delete the input folders? no";
const std::string k_yes_duplicates = "2. safe to delete duplicates/? yes";
const std::string k_no_duplicates = "2. safe to delete duplicates/? no";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The small library, with a byte copy of one keeper (so the catalog has that keeper's hash),
// indexed and materialized into tmp/out in `mode`.
void materialized(const TmpDir& tmp, const std::string& mode) {
  test::make_small_library(tmp / "lib");
  fs::create_directories(tmp / "lib/Backup");
  fs::copy_file(tmp / "lib/DCIM/101APPLE/IMG_0100.JPG", tmp / "lib/Backup/IMG_0100.JPG");
  auto r = run_tool({"index", "lib", "--catalog", "cat"}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = run_tool({"materialize", "out", "--catalog", "cat", "--mode", mode}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.out << r.err);
}

test::RunResult verify(const TmpDir& tmp) {
  auto r = run_tool({"verify", "out", "--catalog", "cat"}, tmp.path());
  MESSAGE(r.out << r.err);
  return r;
}

// The view path of the input `relative` (under tmp/lib), from `list --json`.
std::string view_of(const TmpDir& tmp, const std::string& relative) {
  const auto r = run_tool({"list", "--json", "--catalog", "cat"}, tmp.path());
  const std::string source = fs::canonical(tmp / "lib").string() + "/" + relative;
  for (const auto& line : test::lines_of(r.out)) {
    if (test::json_field(line, "source") == source) {
      return test::json_field(line, "view");
    }
  }
  FAIL("no view path for " << relative);
  return {};
}

// Changes the byte at `offset` of `path` and puts its mtime back, so that only its bytes tell.
void flip_byte(const fs::path& path, off_t offset) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  unsigned char byte = 0;
  REQUIRE(::pread(fd, &byte, 1, offset) == 1);
  byte ^= 0x5a;
  REQUIRE(::pwrite(fd, &byte, 1, offset) == 1);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  REQUIRE(::futimens(fd, times) == 0);
  ::close(fd);
}

const char* k_heic = "DCIM/100APPLE/IMG_0001.HEIC";
const char* k_lone_jpeg = "DCIM/101APPLE/IMG_0100.JPG";

} // namespace

TEST_CASE("verify: right after materialize both answers are yes and nothing is written or touched") {
  for (const std::string mode : {"hardlink", "copy"}) {
    CAPTURE(mode);
    TmpDir tmp;
    materialized(tmp, mode);
    test::age_atimes(tmp / "lib");
    test::age_atimes(tmp / "out");
    const auto inputs = test::snapshot_inputs(tmp / "lib");
    const auto tree = test::snapshot_inputs(tmp / "out");
    const auto r = verify(tmp);
    CHECK(r.status == 0);
    CHECK(contains(r.out, k_yes_inputs));
    CHECK(contains(r.out, k_yes_duplicates));
    CHECK(contains(r.out, "all 8 keepers, companions, raw-sidecars, unknown-time and other files"));
    // Copies are compared by their bytes; hard links by their inode, unread.
    CHECK(contains(r.out, mode == "copy" ? "(8 copies compared byte for byte" : "(0 copies compared"));
    CHECK(test::input_changes(inputs, test::snapshot_inputs(tmp / "lib")).empty());
    CHECK(test::input_changes(tree, test::snapshot_inputs(tmp / "out")).empty());
  }
}

TEST_CASE("verify: a keeper missing from OUTDIR holds up both answers and is named") {
  TmpDir tmp;
  materialized(tmp, "hardlink");
  const std::string keeper = view_of(tmp, k_heic);
  const std::string duplicate = view_of(tmp, "Downloads/IMG_0001.JPG");
  REQUIRE(duplicate.rfind("duplicates/", 0) == 0);
  fs::remove(tmp / "out" / keeper);
  const auto r = verify(tmp);
  CHECK(r.status == 1);
  CHECK(contains(r.out, k_no_inputs));
  CHECK(contains(r.out, "blocks: " + keeper + ": not in OUTDIR"));
  CHECK(contains(r.out, k_no_duplicates));
  CHECK(contains(r.out, "blocks: " + duplicate + ": its keeper " + keeper + " is not held in OUTDIR"));
}

TEST_CASE("verify: one byte changed in a copy is found with or without the catalog's hash") {
  TmpDir tmp;
  materialized(tmp, "copy");
  const std::string heic = view_of(tmp, k_heic);      // alone of its size: no hash in the catalog
  const std::string jpeg = view_of(tmp, k_lone_jpeg); // with a byte copy: hashed by the plan
  flip_byte(tmp / "out" / heic, 200);
  flip_byte(tmp / "out" / jpeg, 300);
  const auto r = verify(tmp);
  CHECK(r.status == 1);
  CHECK(contains(r.out, k_no_inputs));
  CHECK(contains(r.out, "blocks: " + heic + ": holds other bytes than its input"));
  CHECK(contains(r.out, "blocks: " + jpeg + ": holds other bytes than its input"));
  CHECK(contains(r.out, k_no_duplicates)); // the HEIC's duplicates have no keeper with its bytes
}

TEST_CASE("verify: a symlink tree never holds the inputs") {
  TmpDir tmp;
  materialized(tmp, "symlink");
  const auto r = verify(tmp);
  CHECK(r.status == 1);
  CHECK(contains(r.out, k_no_inputs));
  CHECK(contains(r.out, "0 of 8 keepers"));
  CHECK(contains(r.out, "blocks: " + view_of(tmp, k_heic) + ": a symbolic link to its input"));
  CHECK(contains(r.out, k_no_duplicates));
}

TEST_CASE("verify: with duplicates/ deleted and then the inputs too the answers still hold") {
  TmpDir tmp;
  materialized(tmp, "hardlink");
  fs::remove_all(tmp / "out/duplicates");
  auto r = verify(tmp);
  CHECK(r.status == 0);
  CHECK(contains(r.out, k_yes_inputs));
  CHECK(contains(r.out, k_yes_duplicates));
  CHECK(contains(r.out, "3 of 3 duplicates are not in OUTDIR"));
  // The user deletes the inputs: OUTDIR holds the last copies, and verify still answers.
  fs::remove(tmp / "lib" / k_heic);
  r = verify(tmp);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "1 file whose input is gone: OUTDIR holds the last copy"));
  fs::remove_all(tmp / "lib");
  r = verify(tmp);
  CHECK(r.status == 0);
  CHECK(contains(r.out, k_yes_inputs));
  CHECK(contains(r.out, "is gone"));
}

TEST_CASE("verify: copies whose inputs are gone are checked by the catalog's hash or the tree's record") {
  TmpDir tmp;
  materialized(tmp, "copy");
  const std::string jpeg = view_of(tmp, k_lone_jpeg);
  fs::remove_all(tmp / "lib/DCIM");
  auto r = verify(tmp);
  CHECK(r.status == 0);
  CHECK(contains(r.out, k_yes_inputs));
  // A changed byte is still found where the catalog has the hash.
  flip_byte(tmp / "out" / jpeg, 300);
  r = verify(tmp);
  CHECK(r.status == 1);
  CHECK(contains(r.out, "blocks: " + jpeg + ": holds other bytes than its input"));
}

TEST_CASE("verify: inputs changed or added since the last index hold up the inputs") {
  TmpDir tmp;
  materialized(tmp, "hardlink");
  test::write_file(tmp / "lib/notes/todo.txt", "buy milk and eggs");
  test::write_file(tmp / "lib/new/IMG_0999.JPG", "new since the index");
  const auto r = verify(tmp);
  CHECK(r.status == 1);
  CHECK(contains(r.out, k_no_inputs));
  CHECK(contains(r.out, "changed since the last index: re-index, materialize and verify again"));
  CHECK(contains(r.out, fs::canonical(tmp / "lib").string() + "/new/IMG_0999.JPG: new since the last index"));
  CHECK(contains(r.out, k_yes_duplicates));
}

TEST_CASE("verify: a folder materialize did not make is refused") {
  TmpDir tmp;
  materialized(tmp, "hardlink");
  fs::create_directories(tmp / "elsewhere");
  auto r = run_tool({"verify", "elsewhere", "--catalog", "cat"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "not a tree that `materialize` made"));
  r = run_tool({"verify", "missing", "--catalog", "cat"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(fs::exists(tmp / "elsewhere"));
  CHECK_FALSE(fs::exists(tmp / "missing"));
}
