// What a packager and a shell user rely on: the man page and the bash and zsh completions made
// from the command table (tools/table.hpp) work, and `cmake --install` into a prefix gives a tool
// that finds its modules there and nothing of the tests.
#include "tests/support/json_lines.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/run.hpp"
#include "tests/support/tmpdir.hpp"
#include "tools/help.hpp"
#include "tools/table.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace ipd;
using test::run_program;
using test::TmpDir;
using test::write_file;

namespace {

const std::filesystem::path k_docs = IPD_DOCS_DIR;

std::set<std::string> line_set(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) {
      out.insert(line);
    }
  }
  return out;
}

bool have_program(const char* name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"}) {
    if (::access((std::string(dir) + name).c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

// What bash's completion function offers for the words typed so far (the last one being
// completed), run as bash runs it on TAB.
std::set<std::string> bash_complete(const std::vector<std::string>& words, const std::string& cwd = {}) {
  std::vector<std::string> argv{"/bin/bash",
                                "--norc",
                                "--noprofile",
                                "-c",
                                "source \"$0\" && COMP_WORDS=(\"$@\") && COMP_CWORD=$(($# - 1)) && "
                                "_iphone_photo_dedup && printf '%s\\n' \"${COMPREPLY[@]}\"",
                                (k_docs / "iphone-photo-dedup.bash").string()};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto r = run_program(argv, cwd);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK_MESSAGE(r.err.empty(), r.err);
  return line_set(r.out);
}

std::set<std::string> option_names(const tools::Command& command) {
  std::set<std::string> names{"-h", "--help"};
  for (const auto& option : command.options) {
    names.emplace(option.name);
    if (!option.alias.empty()) {
      names.emplace(option.alias);
    }
  }
  return names;
}

} // namespace

TEST_CASE("completion: bash completes commands and every option of every command and roles/modes/folders") {
  std::set<std::string> all{"--help", "--version"};
  for (const auto& command : tools::commands()) {
    all.emplace(command.name);
    CAPTURE(command.name);
    const std::set<std::string> got =
        bash_complete({"iphone-photo-dedup", std::string(command.name.substr(0, 3))});
    CHECK(got.count(std::string(command.name)) == 1);
    CHECK(bash_complete({"iphone-photo-dedup", std::string(command.name), "-"}) == option_names(command));
  }
  CHECK(bash_complete({"iphone-photo-dedup", ""}) == all);
  CHECK(bash_complete({"iphone-photo-dedup", "mat"}) == std::set<std::string>{"materialize"});

  const auto choices = tools::split_words(tools::find_command("list")->options[1].choices);
  const std::set<std::string> roles(choices.begin(), choices.end());
  CHECK(roles ==
        std::set<std::string>{"keeper", "companion", "raw-sidecar", "duplicate", "unknown-time", "other"});
  CHECK(bash_complete({"iphone-photo-dedup", "list", "--role", ""}) == roles);
  CHECK(bash_complete({"iphone-photo-dedup", "list", "--json", "--role", "un"}) ==
        std::set<std::string>{"unknown-time"});
  CHECK(bash_complete({"iphone-photo-dedup", "list", "--role", "=", "du"}) ==
        std::set<std::string>{"duplicate"});
  CHECK(bash_complete({"iphone-photo-dedup", "materialize", "out", "--mode", ""}) ==
        std::set<std::string>{"hardlink", "reflink", "copy", "symlink"});
  CHECK(bash_complete({"iphone-photo-dedup", "help", "un"}) == std::set<std::string>{"unmount"});

  TmpDir tmp;
  std::filesystem::create_directories(tmp / "photos");
  write_file(tmp / "photos.txt", "x");
  CHECK(bash_complete({"iphone-photo-dedup", "index", "pho"}, tmp.path()) == std::set<std::string>{"photos"});
  CHECK(bash_complete({"iphone-photo-dedup", "index", "photos", "--catalog", "pho"}, tmp.path()) ==
        std::set<std::string>{"photos"});
  CHECK(bash_complete({"iphone-photo-dedup", "explain", "pho"}, tmp.path()) ==
        std::set<std::string>{"photos", "photos.txt"});
  CHECK(bash_complete({"iphone-photo-dedup", "index", "photos", "--jobs", ""}, tmp.path()).empty());
}

TEST_CASE("completion: zsh completes commands and every option of every command and roles/modes/folders") {
  if (!have_program("zsh")) {
    MESSAGE("skipped: zsh is not installed (package zsh)");
    return;
  }
  const std::string function = (k_docs / "_iphone-photo-dedup").string();
  auto r = run_program({"/usr/bin/env", "zsh", "-n", function});
  CHECK_MESSAGE(r.status == 0, r.err);

  // An interactive zsh on a pseudo-terminal (zpty) with compinit and the function on $fpath
  // gets the words and a TAB; compadd is wrapped to print each match it is given.
  TmpDir tmp;
  const auto capture = tmp / "capture.zsh";
  write_file(capture, R"(zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PS1= PROMPT= RPROMPT=; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'P=@@""M:; compadd() { if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi;
  local -a m; builtin compadd -O m "$@"; print -rl -- "" ${m/#/$P} >&2; builtin compadd "$@" }'
zpty -w z 'bindkey "^I" complete-word; comppostfuncs=(_ipd_done); _ipd_done() { print -r -- "@@${:-DONE}@@" >&2; exit }'
zpty -w z "$2"$'\t'
zpty -r -m z out '*@@DONE@@*'
print -r -- "$out" | tr -d '\r' | grep -ao "@@M:[^@]*" | sed "s/^@@M://"
zpty -d z
)");
  std::filesystem::create_directories(tmp / "photos");
  write_file(tmp / "photos.txt", "x");
  auto zsh_complete = [&](const std::string& typed) {
    const auto result = run_program(
        {"/usr/bin/timeout", "30", "/usr/bin/env", "zsh", "-f", capture.string(), k_docs.string(), typed},
        tmp.path());
    CHECK_MESSAGE(result.status == 0, result.err);
    return line_set(result.out);
  };
  std::set<std::string> all;
  for (const auto& command : tools::commands()) {
    all.emplace(command.name);
    CAPTURE(command.name);
    CHECK(zsh_complete("iphone-photo-dedup " + std::string(command.name) + " -") == option_names(command));
  }
  CHECK(zsh_complete("iphone-photo-dedup ") == all);
  CHECK(zsh_complete("iphone-photo-dedup mat") == std::set<std::string>{"materialize"});
  CHECK(zsh_complete("iphone-photo-dedup list --role ") ==
        std::set<std::string>{"keeper", "companion", "raw-sidecar", "duplicate", "unknown-time", "other"});
  CHECK(zsh_complete("iphone-photo-dedup list --role=du") == std::set<std::string>{"duplicate"});
  CHECK(zsh_complete("iphone-photo-dedup materialize out --mode ") ==
        std::set<std::string>{"hardlink", "reflink", "copy", "symlink"});
  CHECK(zsh_complete("iphone-photo-dedup index ph") == std::set<std::string>{"photos"});
  CHECK(zsh_complete("iphone-photo-dedup explain ph") == std::set<std::string>{"photos", "photos.txt"});
}

TEST_CASE("man page: renders without a warning and documents every command and option") {
  const std::string page = (k_docs / "iphone-photo-dedup.1").string();
  auto r = run_program({"/usr/bin/env", "groff", "-man", "-Tutf8", "-ww", "-z", page});
  if (r.status == 127) {
    MESSAGE("skipped: groff is not installed (package groff-base)");
    return;
  }
  CHECK(r.status == 0);
  CHECK_MESSAGE(r.err.empty(), r.err);
  r = run_program({"/usr/bin/env", "groff", "-man", "-Tascii", "-rHY=0", "-rLL=80n", "-P-cbou", page});
  REQUIRE(r.status == 0);
  std::string text; // with runs of spaces made one, as justification spreads them
  for (const char c : r.out) {
    if (!(c == ' ' && !text.empty() && text.back() == ' ')) {
      text += c == '\n' ? ' ' : c;
    }
  }
  CHECK(text.find("iphone-photo-dedup - " + std::string(tools::k_tool_summary)) != std::string::npos);
  for (const auto& command : tools::commands()) {
    CAPTURE(command.name);
    CHECK(text.find(" iphone-photo-dedup " + std::string(command.name) + " ") !=
          std::string::npos); // synopsis
    for (const auto& option : command.options) {
      CAPTURE(option.name);
      CHECK(text.find(" " + tools::option_label(option) + " " + std::string(option.help.substr(0, 12))) !=
            std::string::npos);
    }
  }
  CHECK(text.find("EXIT STATUS") != std::string::npos);
}

TEST_CASE("install: cmake --install puts a working tool with its modules/man page/completions in a prefix") {
  TmpDir tmp;
  const auto prefix = tmp / "prefix";
  auto r = run_program({IPD_CMAKE, "--install", IPD_BUILD_DIR, "--prefix", prefix.string()});
  REQUIRE_MESSAGE(r.status == 0, r.err);

  std::set<std::string> installed;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(prefix)) {
    if (!entry.is_directory()) {
      installed.insert(std::filesystem::relative(entry.path(), prefix).string());
    }
  }
  CHECK(installed == std::set<std::string>{"bin/iphone-photo-dedup", "lib/iphone-photo-dedup/libipd_movie.so",
                                           "lib/iphone-photo-dedup/libipd_pixels.so",
                                           "share/man/man1/iphone-photo-dedup.1.gz",
                                           "share/bash-completion/completions/iphone-photo-dedup",
                                           "share/zsh/site-functions/_iphone-photo-dedup"});
  CHECK(test::read_file(prefix / "share/bash-completion/completions/iphone-photo-dedup") ==
        test::read_file(k_docs / "iphone-photo-dedup.bash"));
  r = run_program(
      {"/usr/bin/env", "gzip", "-dc", (prefix / "share/man/man1/iphone-photo-dedup.1.gz").string()});
  CHECK(r.out == test::read_file(k_docs / "iphone-photo-dedup.1"));

  // The installed binary reads a HEIC, a JPG of the same capture (no content identifier, so
  // their pixels must be compared) and a movie: both modules load, from the prefix.
  const std::string bin = (prefix / "bin/iphone-photo-dedup").string();
  const auto exif = test::iphone_exif("2021:05:03 14:22:01", "iPhone 12 Pro");
  write_file(tmp / "in/IMG_0001.HEIC", test::make_heic(64, 48, exif, 1));
  write_file(tmp / "in/IMG_0001.JPG", test::make_jpeg(64, 48, exif, 1));
  test::MovieSpec movie;
  movie.creation_date = "2021-05-04T10:00:00-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  write_file(tmp / "in/IMG_0002.MOV", test::make_mov(movie));
  r = run_program({"/usr/bin/env", "-u", "IPD_MODULE_DIR", "LD_DEBUG=files", bin, "index", "in"}, tmp.path());
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string modules = (prefix / "lib/iphone-photo-dedup").string();
  CHECK(r.err.find("file=" + modules + "/libipd_pixels.so ") != std::string::npos);
  CHECK(r.err.find("file=" + modules + "/libipd_movie.so ") != std::string::npos);
  CHECK(r.err.find(std::string(IPD_BUILD_DIR) + "/index/") == std::string::npos);

  r = run_program({bin, "list", "--json"}, tmp.path());
  REQUIRE(r.status == 0);
  std::map<std::string, std::string> roles;
  for (const auto& row : test::lines_of(r.out)) {
    roles[std::filesystem::path(test::json_field(row, "source")).filename()] = test::json_field(row, "role");
    if (test::json_field(row, "kind") == "movie") {
      CHECK(test::json_field(row, "capture").rfind("2021-05-04T10:00:00", 0) == 0);
    }
  }
  CHECK(roles == std::map<std::string, std::string>{
                     {"IMG_0001.HEIC", "keeper"}, {"IMG_0001.JPG", "duplicate"}, {"IMG_0002.MOV", "keeper"}});

  r = run_program({"/usr/bin/env", "-u", "IPD_MODULE_DIR", bin, "--version"});
  CHECK(r.status == 0);
  CHECK(r.out.find("(pixels module " + modules + "/libipd_pixels.so)") != std::string::npos);
}
