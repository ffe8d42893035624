// materialize: the view as a real tree of hard links (or reflinks, copies, symlinks) — complete,
// idempotent, resumable after a kill, never overwriting, and never changing an input.
#include "index/catalog/catalog.hpp"
#include "index/catalog/codec.hpp"
#include "index/core/io.hpp"
#include "index/materialize/materialize.hpp"
#include "index/view/view.hpp"
#include "tests/support/inputs.hpp"
#include "tests/support/json_lines.hpp"
#include "tests/support/library.hpp"
#include "tests/support/media.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ipd;
using test::json_field;
using test::run_tool;
using test::TmpDir;
using test::write_file;
namespace fs = std::filesystem;

namespace {

const std::string k_manifest(k_manifest_name);

// View path -> input path, from `list --json` (README.txt, which has no input, maps to "").
std::map<std::string, std::string> view_of(const fs::path& cwd, const fs::path& catalog) {
  const auto r = run_tool({"list", "--json", "--catalog", catalog.string()}, cwd.string());
  REQUIRE(r.status == 0);
  std::map<std::string, std::string> out;
  for (const auto& line : test::lines_of(r.out)) {
    const std::string view = json_field(line, "view");
    if (!view.empty()) {
      CHECK_MESSAGE(out.emplace(view, json_field(line, "source")).second, "two files at " << view);
    }
  }
  out.emplace("README.txt", "");
  return out;
}

// Every non-folder under `out` (relative paths), the manifest and its journal left out.
std::set<std::string> tree_of(const fs::path& out) {
  std::set<std::string> files;
  for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = it->path().lexically_relative(out).string();
    if (rel.rfind(k_manifest, 0) == 0) {
      continue;
    }
    if (!it->is_directory() || it->is_symlink()) {
      files.insert(rel);
    }
  }
  return files;
}

// Every folder under `out`.
std::set<std::string> folders_of(const fs::path& out) {
  std::set<std::string> dirs;
  for (auto it = fs::recursive_directory_iterator(out); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && !it->is_symlink()) {
      dirs.insert(it->path().lexically_relative(out).string());
    }
  }
  return dirs;
}

std::set<std::string> keys(const std::map<std::string, std::string>& view) {
  std::set<std::string> out;
  for (const auto& [path, source] : view) {
    out.insert(path);
  }
  return out;
}

// Every folder the view needs.
std::set<std::string> folders_needed(const std::map<std::string, std::string>& view) {
  std::set<std::string> out;
  for (const auto& [path, source] : view) {
    for (fs::path p = fs::path(path).parent_path(); !p.empty(); p = p.parent_path()) {
      out.insert(p.string());
    }
  }
  return out;
}

bool same_inode(const fs::path& a, const fs::path& b) {
  struct stat sa {};
  struct stat sb {};
  return ::lstat(a.c_str(), &sa) == 0 && ::lstat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::int64_t mtime_of(const fs::path& p) {
  struct stat st {};
  ::lstat(p.c_str(), &st);
  return std::int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string readme_of(const fs::path& catalog) {
  auto c = Catalog::open(catalog, Catalog::Access::read_only);
  return view_entry(*c, k_readme_name)->content;
}

// Checks that every file of the view in `out` is a copy of its input: the same bytes and
// mtime, another inode.
void check_copies(const fs::path& out, const std::map<std::string, std::string>& view) {
  for (const auto& [path, source] : view) {
    if (!source.empty()) {
      INFO(path);
      CHECK(test::read_file(out / path) == test::read_file(source));
      CHECK(mtime_of(out / path) == mtime_of(source));
      CHECK(!same_inode(out / path, source));
    }
  }
}

// Checks that `out` holds exactly the view as hard links: every path -ef its input.
void check_hard_links(const fs::path& out, const std::map<std::string, std::string>& view,
                      const fs::path& catalog) {
  CHECK(tree_of(out) == keys(view));
  CHECK(folders_of(out) == folders_needed(view));
  for (const auto& [path, source] : view) {
    INFO(path);
    if (source.empty()) {
      CHECK(test::read_file(out / path) == readme_of(catalog));
    } else {
      CHECK(same_inode(out / path, source)); // [ OUTDIR/path -ef source ]
    }
  }
}

// A snapshot keyed by path relative to `root`.
std::map<std::string, test::FileState> relative(const std::map<std::string, test::FileState>& snapshot,
                                                const fs::path& root) {
  std::map<std::string, test::FileState> out;
  for (const auto& [path, state] : snapshot) {
    out[fs::path(path).lexically_relative(root).string()] = state;
  }
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A tmpfs mounted for the test's life (needs root); unmounted however the test ends.
class TmpfsMount {
public:
  explicit TmpfsMount(const fs::path& where) : m_where(where) {
    fs::create_directories(where);
    m_mounted = ::getuid() == 0 && ::mount("tmpfs", where.c_str(), "tmpfs", 0, "size=64m") == 0;
  }
  ~TmpfsMount() {
    if (m_mounted) {
      ::umount2(m_where.c_str(), MNT_DETACH);
    }
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return m_mounted; }

private:
  fs::path m_where;
  bool m_mounted = false;
};

std::size_t count_files(const fs::path& out) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = fs::recursive_directory_iterator(out, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    n += it->is_regular_file(ec) ? 1 : 0;
  }
  return n;
}

// Kills a run of materialize from `catalog` into `out` in `mode`, slowed down by a pause after
// each file made (tests/materialize_paused.cpp), after it made `after` files, and checks it
// really was cut short.
void kill_part_way(const fs::path& catalog, const fs::path& out, const std::string& mode, std::size_t after,
                   std::size_t total) {
  const pid_t pid = test::start_program({IPD_MATERIALIZE_PAUSED, "30", catalog.string(), out.string(), mode});
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (count_files(out) < after && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  const std::size_t made = count_files(out);
  MESSAGE("killed after " << made << " of " << total << " files");
  REQUIRE(made >= after);
  REQUIRE(made < total);
}

} // namespace

TEST_CASE("materialize: every view path becomes a hard link to its input and the tree is the view") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  REQUIRE(view.size() >= 8);

  const auto r = run_tool({"materialize", "out"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(
      contains(r.out, "materialized " + std::to_string(view.size()) + " view files into out as hard links"));
  CHECK(contains(r.out, std::to_string(view.size()) + " made"));
  CHECK(contains(r.out, "0 conflicts, 0 errors"));
  check_hard_links(tmp / "out", view, tmp / "iphone-photo-dedup.catalog");
  CHECK(fs::is_regular_file(tmp / "out" / k_manifest));
  CHECK(!fs::exists(tmp / "out" / (k_manifest + ".journal")));
}

TEST_CASE("materialize: the library function reports what it made and calls the progress callback") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  auto catalog = Catalog::open(tmp / "iphone-photo-dedup.catalog", Catalog::Access::read_only);
  std::uint64_t last_done = 0;
  std::uint64_t last_total = 0;
  MaterializeOptions options;
  options.progress = [&](std::uint64_t done, std::uint64_t total) {
    CHECK(done >= last_done);
    last_done = done;
    last_total = total;
  };
  auto report = materialize(*catalog, tmp / "out", options);
  CHECK(report.files >= 8);
  CHECK(report.made == report.files);
  CHECK(report.already == 0);
  CHECK(report.conflicts.empty());
  CHECK(report.errors.empty());
  CHECK(last_done == report.files);
  CHECK(last_total == report.files);

  last_done = 0;
  report = materialize(*catalog, tmp / "out", options);
  CHECK(report.made == 0);
  CHECK(report.already == report.files);
}

TEST_CASE("materialize: a second run makes nothing and a foreign file is a conflict left untouched") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  REQUIRE(run_tool({"materialize", "out"}, tmp.path()).status == 0);

  auto r = run_tool({"materialize", "out"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(contains(r.out, "0 made"));
  CHECK(contains(r.out, std::to_string(view.size()) + " already there"));
  check_hard_links(tmp / "out", view, tmp / "iphone-photo-dedup.catalog");

  // Into a fresh OUTDIR where the user already put files of their own at view paths.
  const std::string foreign = std::next(view.begin(), 1)->first;
  const std::string readme_path = "README.txt";
  write_file(tmp / "out2" / foreign, "my own file");
  write_file(tmp / "out2" / readme_path, "my own readme");
  // And a symlink where a view folder goes: never followed.
  const std::string folder = fs::path(std::prev(view.end())->first).begin()->string();
  REQUIRE(folder != fs::path(foreign).begin()->string());
  fs::create_directories(tmp / "elsewhere");
  fs::create_symlink(tmp / "elsewhere", tmp / "out2" / folder);
  const auto foreign_mtime = mtime_of(tmp / "out2" / foreign);

  r = run_tool({"materialize", "out2"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(
      contains(r.err, "conflict: " + foreign + ": a different file (11 bytes) that this tool did not make"));
  CHECK(contains(r.err, "conflict: README.txt: a different file"));
  CHECK(contains(r.err, "conflict: " + folder + ": a symbolic link to " + (tmp / "elsewhere").string()));
  CHECK(contains(r.out, "conflicts (listed above) were left untouched"));
  CHECK(test::read_file(tmp / "out2" / foreign) == "my own file");
  CHECK(mtime_of(tmp / "out2" / foreign) == foreign_mtime);
  CHECK(test::read_file(tmp / "out2" / readme_path) == "my own readme");
  CHECK(fs::is_empty(tmp / "elsewhere"));
  CHECK(fs::is_symlink(tmp / "out2" / folder));
  // Everything else was made.
  for (const auto& [path, source] : view) {
    if (path != foreign && !source.empty() && fs::path(path).begin()->string() != folder) {
      CHECK(same_inode(tmp / "out2" / path, source));
    }
  }
  // Run again: the same conflicts, still untouched.
  r = run_tool({"materialize", "out2"}, tmp.path());
  CHECK(r.status == 1);
  CHECK(contains(r.err, "conflict: " + foreign));
  CHECK(test::read_file(tmp / "out2" / foreign) == "my own file");
}

TEST_CASE("materialize: --dry-run prints what would be made and changes nothing") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  auto r = run_tool({"materialize", "out", "--dry-run"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(!fs::exists(tmp / "out"));
  for (const auto& [path, source] : view) {
    CHECK(contains(r.out, "would make " + path + "\n"));
  }
  CHECK(contains(r.out, "dry run (nothing changed)"));

  // Half made: the dry run names only the missing half, and still changes nothing.
  REQUIRE(run_tool({"materialize", "out"}, tmp.path()).status == 0);
  const std::string gone = view.rbegin()->first;
  fs::remove(tmp / "out" / gone);
  const auto before = tree_of(tmp / "out");
  r = run_tool({"materialize", "out", "--dry-run"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(test::lines_of(r.out).front() == "would make " + gone);
  CHECK(contains(r.out, "1 to be made"));
  CHECK(tree_of(tmp / "out") == before);
}

TEST_CASE("materialize: inputs on another filesystem stop hard links up front and --mode copy works") {
  TmpDir tmp;
  TmpfsMount other(tmp / "usb");
  if (!other.mounted()) {
    MESSAGE("skipped: cannot mount a tmpfs (needs root)");
    return;
  }
  test::make_small_library(tmp / "usb/lib");
  test::make_small_library(tmp / "lib", 100);
  REQUIRE(run_tool({"index", "usb/lib", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  test::age_atimes(tmp / "usb/lib"); // so that any plain read would show
  const auto inputs = test::snapshot_inputs(tmp / "usb/lib");

  auto r = run_tool({"materialize", "out"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 2);
  CHECK(contains(r.err, "out is on another filesystem than the inputs under " +
                            fs::canonical(tmp / "usb/lib").string() + ":"));
  CHECK(!contains(r.err, fs::canonical(tmp / "lib").string())); // that root is fine
  CHECK(contains(r.err, "--mode copy"));
  CHECK(contains(r.err, "--mode reflink"));
  CHECK(contains(r.err, "nothing was written"));
  CHECK(!fs::exists(tmp / "out"));
  // Into an OUTDIR that exists: still nothing written.
  fs::create_directories(tmp / "out");
  CHECK(run_tool({"materialize", "out"}, tmp.path()).status == 2);
  CHECK(fs::is_empty(tmp / "out"));

  r = run_tool({"materialize", "out", "--mode", "copy"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(contains(r.out, "as copies"));
  CHECK(test::snapshot_inputs(tmp / "usb/lib") == inputs); // before the test reads them
  CHECK(tree_of(tmp / "out") == keys(view));
  check_copies(tmp / "out", view);
  r = run_tool({"materialize", "out", "--mode", "copy"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(contains(r.out, std::to_string(view.size()) + " already there"));
}

TEST_CASE("materialize: --mode copy and symlink and reflink") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  test::age_atimes(tmp / "lib"); // so that any plain read would show
  const auto inputs = test::snapshot_inputs(tmp / "lib");

  SUBCASE("copy") {
    REQUIRE(run_tool({"materialize", "out", "--mode", "copy"}, tmp.path()).status == 0);
    CHECK(test::snapshot_inputs(tmp / "lib") == inputs); // read with O_NOATIME: atime too
    CHECK(tree_of(tmp / "out") == keys(view));
    check_copies(tmp / "out", view);
    // A copy the user changed is theirs: a conflict, kept as they left it.
    const std::string changed = view.begin()->first;
    write_file(tmp / "out" / changed, "edited");
    const auto r = run_tool({"materialize", "out", "--mode", "copy"}, tmp.path());
    CHECK(r.status == 1);
    CHECK(contains(r.err, "conflict: " + changed));
    CHECK(test::read_file(tmp / "out" / changed) == "edited");
  }
  SUBCASE("symlink") {
    REQUIRE(run_tool({"materialize", "out", "--mode", "symlink"}, tmp.path()).status == 0);
    CHECK(test::snapshot_inputs(tmp / "lib") == inputs);
    CHECK(tree_of(tmp / "out") == keys(view));
    for (const auto& [path, source] : view) {
      if (!source.empty()) {
        INFO(path);
        CHECK(fs::is_symlink(tmp / "out" / path));
        CHECK(fs::read_symlink(tmp / "out" / path) == source);
        CHECK(fs::path(source).is_absolute());
      }
    }
    const auto r = run_tool({"materialize", "out", "--mode", "symlink"}, tmp.path());
    CHECK(r.status == 0);
    CHECK(contains(r.out, std::to_string(view.size()) + " already there"));
  }
  SUBCASE("reflink") {
    const auto r = run_tool({"materialize", "out", "--mode", "reflink"}, tmp.path());
    INFO(r.out << r.err);
    CHECK(test::snapshot_inputs(tmp / "lib") == inputs);
    if (r.status == 2) { // ext4, tmpfs: no clones
      CHECK(contains(r.err, "the filesystem cannot clone files"));
      CHECK(contains(r.err, "use --mode copy"));
      CHECK_FALSE(fs::exists(tmp / "out")); // it made OUTDIR, and took it away again
    } else {
      CHECK(r.status == 0);
      for (const auto& [path, source] : view) {
        if (!source.empty()) {
          CHECK(test::read_file(tmp / "out" / path) == test::read_file(source));
        }
      }
    }
  }
}

TEST_CASE("materialize: a run killed part-way and run again completes the tree") {
  TmpDir tmp;
  for (unsigned i = 0; i < 3; ++i) {
    test::make_small_library(tmp / ("lib/set" + std::to_string(i)), 10 * i);
  }
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  REQUIRE(view.size() > 20);

  SUBCASE("hard links") {
    kill_part_way(tmp / "iphone-photo-dedup.catalog", tmp / "out", "hardlink", 8, view.size());
    CHECK(fs::exists(tmp / "out" / (k_manifest + ".journal")));
    auto r = run_tool({"materialize", "out"}, tmp.path());
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "0 conflicts, 0 errors"));
    check_hard_links(tmp / "out", view, tmp / "iphone-photo-dedup.catalog");
    CHECK(!fs::exists(tmp / "out" / (k_manifest + ".journal")));
    r = run_tool({"materialize", "out"}, tmp.path());
    CHECK(contains(r.out, "0 made"));
    CHECK(contains(r.out, std::to_string(view.size()) + " already there"));

    // The links made before the kill are in the manifest (taken from the journal): when the input
    // of the first one leaves the roots, its link goes (or is replaced) like any other.
    const auto first =
        std::find_if(view.begin(), view.end(), [](const auto& e) { return !e.second.empty(); });
    fs::rename(first->second, tmp / "moved-out");
    REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
    const auto moved = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
    r = run_tool({"materialize", "out"}, tmp.path());
    CHECK(r.status == 0);
    check_hard_links(tmp / "out", moved, tmp / "iphone-photo-dedup.catalog");
  }
  SUBCASE("killed at five points in a row, each run taking over from the last") {
    for (const std::size_t after : {3, 7, 12, 18, 24}) {
      kill_part_way(tmp / "iphone-photo-dedup.catalog", tmp / "out", "hardlink", after, view.size());
    }
    const auto r = run_tool({"materialize", "out"}, tmp.path());
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(contains(r.out, "0 conflicts, 0 errors"));
    check_hard_links(tmp / "out", view, tmp / "iphone-photo-dedup.catalog");
    CHECK(!fs::exists(tmp / "out" / (k_manifest + ".journal")));
  }
  SUBCASE("copies") {
    kill_part_way(tmp / "iphone-photo-dedup.catalog", tmp / "out", "copy", 8, view.size());
    const auto r = run_tool({"materialize", "out", "--mode", "copy"}, tmp.path());
    INFO(r.out << r.err);
    CHECK(r.status == 0);
    CHECK(tree_of(tmp / "out") == keys(view)); // no partial files left
    for (const auto& [path, source] : view) {
      if (!source.empty()) {
        CHECK(test::read_file(tmp / "out" / path) == test::read_file(source));
      }
    }
  }
}

TEST_CASE("materialize: after a re-index new files come and its own files that left the view go") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  fs::create_directories(tmp / "lib/misc/old");
  write_file(tmp / "lib/misc/old/moving.txt", "moving");
  write_file(tmp / "lib/misc/replaced.txt", "replaced");
  write_file(tmp / "lib/DCIM/102APPLE/IMG_0300.JPG",
             test::make_jpeg(96, 64, test::iphone_exif("2018:03:03 03:03:03", "iPhone 8"), 30));
  const auto catalog = tmp / "iphone-photo-dedup.catalog";
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto before = view_of(tmp.path(), catalog);
  REQUIRE(run_tool({"materialize", "out"}, tmp.path()).status == 0);

  const auto view_path_of = [&](const std::map<std::string, std::string>& view, const std::string& rel) {
    const std::string source = (fs::canonical(tmp / "lib") / rel).string();
    for (const auto& [path, s] : view) {
      if (s == source) {
        return path;
      }
    }
    FAIL("no view path for " << rel);
    return std::string();
  };
  const std::string moving_before = view_path_of(before, "misc/old/moving.txt");
  const std::string replaced_path = view_path_of(before, "misc/replaced.txt");
  const std::string deleted_path = view_path_of(before, "DCIM/102APPLE/IMG_0300.JPG");
  const std::string old_readme = test::read_file(tmp / "out/README.txt");

  // The user puts a file of their own into a view folder, and replaces one link with their own.
  const fs::path mine = tmp / "out" / fs::path(deleted_path).parent_path().parent_path() / "mine.txt";
  write_file(mine, "mine");
  fs::remove(tmp / "out" / replaced_path);
  write_file(tmp / "out" / replaced_path, "the user's version");

  // The library changes: a new photo, a moved file, a deleted photo, a deleted file (replaced above).
  write_file(tmp / "lib/DCIM/103APPLE/IMG_0400.JPG",
             test::make_jpeg(96, 64, test::iphone_exif("2022:02:02 02:02:02", "iPhone 8"), 40));
  fs::create_directories(tmp / "lib/misc/new");
  fs::rename(tmp / "lib/misc/old/moving.txt", tmp / "lib/misc/new/moving.txt");
  fs::remove(tmp / "lib/DCIM/102APPLE/IMG_0300.JPG");
  fs::remove(tmp / "lib/misc/replaced.txt");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto after = view_of(tmp.path(), catalog);
  const std::string moving_after = view_path_of(after, "misc/new/moving.txt");
  REQUIRE(moving_after != moving_before);

  const auto r = run_tool({"materialize", "out"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, "1 removed"));
  // New entries, the moved file at its new path, the new README.
  for (const auto& [path, source] : after) {
    INFO(path);
    if (!source.empty()) {
      CHECK(same_inode(tmp / "out" / path, source));
    }
  }
  CHECK(test::read_file(tmp / "out/README.txt") == readme_of(catalog));
  CHECK(test::read_file(tmp / "out/README.txt") != old_readme);
  // Its link whose input moved is gone, with the folder it made for it that is now empty.
  CHECK(!fs::exists(tmp / "out" / moving_before));
  CHECK(!fs::exists((tmp / "out" / moving_before).parent_path()));
  // The deleted photo's link is the last copy of it: kept, and said so.
  CHECK(fs::exists(tmp / "out" / deleted_path));
  CHECK(contains(r.err, "kept: " + deleted_path + ": left the view, but its input"));
  // The user's files are untouched.
  CHECK(test::read_file(mine) == "mine");
  CHECK(test::read_file(tmp / "out" / replaced_path) == "the user's version");
  std::set<std::string> expected = keys(after);
  expected.insert(deleted_path);
  expected.insert(mine.lexically_relative(tmp / "out").string());
  expected.insert(replaced_path);
  CHECK(tree_of(tmp / "out") == expected);

  const auto again = run_tool({"materialize", "out"}, tmp.path());
  CHECK(again.status == 0);
  CHECK(contains(again.out, "0 made"));
  CHECK(contains(again.out, "0 removed"));
}

TEST_CASE("materialize: inputs are unchanged and deleting the input roots afterwards loses nothing") {
  TmpDir tmp;
  test::make_small_library(tmp / "original");
  // A copy of the library, whose roots the test deletes.
  REQUIRE(std::system(
              ("cp -a '" + (tmp / "original").string() + "' '" + (tmp / "lib").string() + "'").c_str()) == 0);
  test::age_atimes(tmp / "lib");
  const auto inputs = relative(test::snapshot_inputs(tmp / "lib"), tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto catalog = tmp / "iphone-photo-dedup.catalog";
  const auto view = view_of(tmp.path(), catalog);
  const fs::path root = fs::canonical(tmp / "lib");
  const auto indexed = test::snapshot_inputs(tmp / "lib");
  REQUIRE(run_tool({"materialize", "out"}, tmp.path()).status == 0);
  REQUIRE(run_tool({"materialize", "out"}, tmp.path()).status == 0);

  // Content, mtime, atime and inode as they were (hard links change only ctime and link count).
  CHECK(test::snapshot_inputs(tmp / "lib") == indexed);
  CHECK(relative(test::snapshot_inputs(tmp / "lib"), tmp / "lib") == inputs);

  fs::remove_all(tmp / "lib");
  for (const auto& [path, source] : view) {
    INFO(path);
    if (!source.empty()) {
      CHECK(test::read_file(tmp / "out" / path) ==
            inputs.at(fs::path(source).lexically_relative(root).string()).content);
    }
  }
  // A run with the inputs gone finds everything in place.
  auto r = run_tool({"materialize", "out"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(contains(r.out, std::to_string(view.size()) + " already there"));
  // Even indexing an empty root and running again deletes nothing: they are the last copies.
  fs::create_directories(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  r = run_tool({"materialize", "out"}, tmp.path());
  CHECK(r.status == 0);
  CHECK(contains(r.out, "0 removed"));
  for (const auto& [path, source] : view) {
    if (!source.empty()) {
      CHECK(test::read_file(tmp / "out" / path) ==
            inputs.at(fs::path(source).lexically_relative(root).string()).content);
    }
  }
}

TEST_CASE("materialize: clear fatal errors and nothing written outside OUTDIR") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  auto r = run_tool({"materialize", "out"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "iphone-photo-dedup materialize: "));
  CHECK(!fs::exists(tmp / "out"));
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);

  write_file(tmp / "afile", "x");
  r = run_tool({"materialize", "afile"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "afile exists and is not a folder"));
  r = run_tool({"materialize", "lib/out"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "lies inside the input root"));
  CHECK(!fs::exists(tmp / "lib/out"));
  r = run_tool({"materialize", "."}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "lies inside ."));
  r = run_tool({"materialize", "out", "--mode", "move"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "--mode takes hardlink, reflink, copy or symlink"));
  r = run_tool({"materialize"}, tmp.path());
  CHECK(r.status == 2);
  CHECK(contains(r.err, "name one OUTDIR"));
  CHECK(!fs::exists(tmp / "out"));

  // A catalog whose view names paths that climb out: not written, the rest is.
  {
    auto catalog = Catalog::open(tmp / "iphone-photo-dedup.catalog", Catalog::Access::read_write);
    Catalog::Batch batch;
    ViewEntry evil;
    evil.content = "escaped";
    for (const char* path : {"../escaped.txt", "a/../../escaped.txt", "/tmp/escaped.txt", "a//b.txt",
                             ".iphone-photo-dedup-materialized"}) {
      batch.put(Catalog::Table::view, path, encode(evil));
    }
    catalog->write(batch);
  }
  auto catalog = Catalog::open(tmp / "iphone-photo-dedup.catalog", Catalog::Access::read_only);
  const auto report = materialize(*catalog, tmp / "out", {});
  CHECK(report.errors.size() == 5);
  for (const auto& e : report.errors) {
    CHECK(e.what == "unsafe view path: not written");
  }
  CHECK(!fs::exists(tmp / "escaped.txt"));
  CHECK(!fs::exists("/tmp/escaped.txt"));
  CHECK(fs::exists(tmp / "out/README.txt"));
  CHECK(report.made + 5 == report.files);
}

TEST_CASE("materialize: the real corpus hard-linked is complete and every path -ef its input") {
  const fs::path corpus = test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("skipped: no corpus in ../shared/corpus/real (or $IPD_CORPUS)");
    return;
  }
  TmpDir tmp;
  // The inputs on the filesystem of OUTDIR: a copy (not `cp -al`, which would add links to the
  // shared corpus files and change their ctime).
  REQUIRE(std::system(("cp -a '" + corpus.string() + "' '" + (tmp / "corpus").string() + "'").c_str()) == 0);
  const auto r_index = run_tool({"index", "corpus"}, tmp.path());
  REQUIRE(r_index.status <= 1);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  const auto inputs = test::snapshot_inputs(tmp / "corpus");
  auto r = run_tool({"materialize", "out"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  check_hard_links(tmp / "out", view, tmp / "iphone-photo-dedup.catalog");
  CHECK(test::snapshot_inputs(tmp / "corpus") == inputs);
  r = run_tool({"materialize", "out"}, tmp.path());
  CHECK(contains(r.out, std::to_string(view.size()) + " already there"));
}

TEST_CASE("regression: a hard-link materialize does not make the next index re-read every input") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::make_small_library(root);
  const std::string catalog = (tmp / "catalog").string();
  REQUIRE(run_tool({"index", root.string(), "--catalog", catalog}, tmp.path().string()).status <= 1);
  REQUIRE(
      run_tool({"materialize", (tmp / "out").string(), "--catalog", catalog}, tmp.path().string()).status ==
      0);
  // Linking raised every source's link count and ctime: nothing else changed.
  const auto again = run_tool({"index", root.string(), "--catalog", catalog}, tmp.path().string());
  REQUIRE(again.status <= 1);
  CHECK(again.out.find("0 added, 0 changed, 0 removed; 0 files opened") != std::string::npos);
  CHECK(again.out.find("the view is up to date") != std::string::npos);
  // A real change of content is still seen, even with a link made alongside.
  write_file(root / "notes/todo.txt", "buy milk and eggs");
  fs::create_hard_link(root / "notes/todo.txt", tmp / "elsewhere.txt");
  const auto changed = run_tool({"index", root.string(), "--catalog", catalog}, tmp.path().string());
  CHECK(changed.out.find("1 changed") != std::string::npos);
}

TEST_CASE("regression: a view path named like materialize's manifest is written") {
  TmpDir tmp;
  const auto root = tmp / "in";
  auto exif = test::iphone_exif("2021:05:03 14:22:01");
  exif.make.clear();
  exif.model = ".iphone-photo-dedup-materialized";
  write_file(root / "IMG_0001.JPG", test::make_jpeg(96, 64, exif, 1));
  const std::string catalog = (tmp / "catalog").string();
  REQUIRE(run_tool({"index", root.string(), "--catalog", catalog}, tmp.path().string()).status == 0);
  const auto r = run_tool({"materialize", (tmp / "out").string(), "--catalog", catalog}, tmp.path().string());
  CHECK(r.status == 0);
  CHECK(r.err.find("unsafe") == std::string::npos);
  CHECK(fs::exists(
      tmp / "out/.iphone-photo-dedup-materialized (device)/2021/2021-05/20210503_142201_IMG_0001.JPG"));
  CHECK(fs::is_regular_file(tmp / "out" / k_manifest));
}

TEST_CASE(
    "regression: an OUTDIR inside the catalog is refused and --rebuild deletes only the catalog's files") {
  TmpDir tmp;
  const auto root = tmp / "in";
  test::make_small_library(root);
  const std::string cwd = tmp.path().string();
  const std::string catalog = (tmp / "c/cat2").string();
  REQUIRE(run_tool({"index", root.string(), "--catalog", catalog}, cwd).status <= 1);
  for (const fs::path& out : {tmp / "c/cat2", tmp / "c/cat2/view", tmp / "c"}) {
    INFO(out);
    const auto r = run_tool({"materialize", out.string(), "--catalog", catalog, "--mode", "copy"}, cwd);
    CHECK(r.status == 2);
    CHECK(r.err.find("catalog") != std::string::npos);
    CHECK_FALSE(fs::exists(out / k_manifest));
  }
  CHECK_FALSE(fs::exists(tmp / "c/cat2/view"));
  // A note the user put in the catalog's folder stops a rebuild, which deletes nothing.
  write_file(tmp / "c/cat2/my note.txt", "keep me");
  const auto rebuild = run_tool({"index", root.string(), "--catalog", catalog, "--rebuild"}, cwd);
  CHECK(rebuild.status == 2);
  CHECK(rebuild.err.find("my note.txt") != std::string::npos);
  CHECK(test::read_file(tmp / "c/cat2/my note.txt") == "keep me");
  CHECK(run_tool({"status", "--catalog", catalog}, cwd).status <= 1);
  fs::remove(tmp / "c/cat2/my note.txt");
  CHECK(run_tool({"index", root.string(), "--catalog", catalog, "--rebuild"}, cwd).status <= 1);
  // A catalog may not be made inside a materialized tree either.
  REQUIRE(run_tool({"materialize", (tmp / "out").string(), "--catalog", catalog}, cwd).status == 0);
  const auto inside = run_tool({"index", root.string(), "--catalog", (tmp / "out/cat").string()}, cwd);
  CHECK(inside.status == 2);
  CHECK(inside.err.find("materialize") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "out/cat"));
}

TEST_CASE("regression: a second materialize over an unchanged view changes nothing in OUTDIR") {
  TmpDir tmp;
  test::make_small_library(tmp / "lib");
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  for (const char* mode : {"hardlink", "copy"}) {
    CAPTURE(mode);
    const auto out = tmp / (std::string("out-") + mode);
    REQUIRE(run_tool({"materialize", out.string(), "--mode", mode}, tmp.path()).status == 0);
    struct stat manifest {};
    struct stat folder {};
    REQUIRE(::stat((out / k_manifest).c_str(), &manifest) == 0);
    REQUIRE(::stat(out.c_str(), &folder) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a change would show in the times
    const auto again = run_tool({"materialize", out.string(), "--mode", mode}, tmp.path());
    CHECK(again.status == 0);
    CHECK(contains(again.out, " 0 made"));
    struct stat manifest_after {};
    struct stat folder_after {};
    REQUIRE(::stat((out / k_manifest).c_str(), &manifest_after) == 0);
    REQUIRE(::stat(out.c_str(), &folder_after) == 0);
    CHECK(manifest_after.st_ino == manifest.st_ino);
    CHECK(timespec_ns(manifest_after.st_mtim) == timespec_ns(manifest.st_mtim));
    CHECK(timespec_ns(folder_after.st_mtim) == timespec_ns(folder.st_mtim));
    CHECK_FALSE(fs::exists(out / (k_manifest + ".journal")));
  }
}

TEST_CASE("regression: a materialize into a full disk counts what it did not make and names the file") {
  TmpDir tmp;
  TmpfsMount small(tmp / "small");
  if (!small.mounted()) {
    MESSAGE("skipped: cannot mount a tmpfs (needs root)");
    return;
  }
  REQUIRE(::mount("tmpfs", (tmp / "small").c_str(), "tmpfs", MS_REMOUNT, "size=2m") == 0);
  test::make_small_library(tmp / "lib");
  write_file(tmp / "lib/big/export.bin", std::string(3 * 1024 * 1024, 'x'));
  REQUIRE(run_tool({"index", "lib"}, tmp.path()).status == 0);
  const auto view = view_of(tmp.path(), tmp / "iphone-photo-dedup.catalog");
  const auto out = tmp / "small/out";
  const auto r = run_tool({"materialize", out.string(), "--mode", "copy"}, tmp.path());
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "No space left on device"));
  CHECK(contains(r.err, "export.bin"));
  CHECK(contains(r.out, " not made"));
  CHECK_FALSE(contains(r.out, " 0 not made"));
  // What was made is whole: no partial file, every file its source's bytes.
  for (const auto& path : tree_of(out)) {
    CAPTURE(path);
    CHECK(path.find(".ipd-partial") == std::string::npos);
    if (const auto it = view.find(path); it != view.end() && !it->second.empty()) {
      CHECK(test::read_file(out / path) == test::read_file(it->second));
    }
  }
  // With room again, a re-run completes the tree.
  REQUIRE(::mount("tmpfs", (tmp / "small").c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
  const auto again = run_tool({"materialize", out.string(), "--mode", "copy"}, tmp.path());
  CHECK(again.status == 0);
  CHECK(tree_of(out) == keys(view));
  check_copies(out, view);
}
