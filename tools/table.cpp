#include "table.hpp"

#include "command.hpp"

namespace ipd::tools {

const std::string_view k_tool_summary =
    "keep one file per capture of years of iPhone downloads, never touching them";
const std::string_view k_tool_description =
    "Years of iPhone downloads leave the same capture behind many times: the original HEIC and the JPG "
    "iOS converted it to, importer re-saves, renamed copies, Live Photo movies, edit sidecars. "
    "iphone-photo-dedup reads such a library into a catalog (index), keeps one file per capture in the "
    "format it was captured in, organizes the keepers by device and date, and sets every other copy "
    "aside. The curated view can be browsed as a read-only mount (mount) and written as a real tree "
    "of hard links or copies (materialize). Your decisions (keep, apart, together) beat every rule and "
    "are remembered, and verify says when deleting the inputs loses nothing. The inputs are never "
    "changed: not their contents, names, mtimes or atimes.";

namespace {

constexpr ExitStatus k_exit_statuses[] = {
    {k_exit_ok, "all well"},
    {k_exit_file_errors, "done, but some files had errors (each printed as error: PATH: what)"},
    {k_exit_fatal, "a usage error or a fatal one (a missing root, a directory that is not a catalog)"},
};

constexpr Option k_help{"--help", "-h", "", "show the options of this command", "", Complete::nothing};
constexpr Option k_catalog{"--catalog", "",
                           "DIR",       "the catalog directory (default ./iphone-photo-dedup.catalog)",
                           "",          Complete::directory};
constexpr Option json_flag(std::string_view help) { return {"--json", "", "", help, "", Complete::nothing}; }

constexpr Option k_index_options[] = {
    k_catalog,
    {"--threshold", "", "X",
     "the largest fingerprint distance two copies of one capture may have (default 1.5); with "
     "--full-compare, the largest whole-image difference in percent (default 1.5)",
     "", Complete::nothing},
    {"--full-compare", "", "",
     "compare whole images instead of 32x32 fingerprints (slower, reads every pixel)", "", Complete::nothing},
    {"--no-raw-sidecars", "", "",
     "a DNG's JPG or HEIC sibling becomes a duplicate instead of staying beside it", "", Complete::nothing},
    {"--jobs", "", "N",
     "worker threads for reading, hashing and fingerprints (default: one per core; on a spinning disk "
     "files are read one at a time unless --jobs is given)",
     "", Complete::nothing},
    {"--rebuild", "", "",
     "start the catalog afresh but for your decisions (only a catalog folder is rebuilt, also a damaged one, "
     "and only when it holds nothing else)",
     "", Complete::nothing},
    {"--forget-root", "", "DIR",
     "remove a root from the catalog, with its files' records (roots otherwise add up: each index adds its "
     "folders to the ones indexed before)",
     "", Complete::directory},
    {"--wait", "", "", "when another run is writing the catalog, wait for it instead of stopping", "",
     Complete::nothing},
    {"--verbose", "-v", "",
     "also print how the content checks went (pairs settled from headers, decode rates) and each "
     "error's words from the library that found it",
     "", Complete::nothing},
};

constexpr Option k_status_options[] = {k_catalog, json_flag("print one JSON object")};

constexpr Option k_list_options[] = {
    k_catalog,
    {"--role", "", "ROLE", "list only the files of this role",
     "keeper companion raw-sidecar duplicate unknown-time other", Complete::nothing},
    json_flag("print JSON Lines, one object per input file"),
};

constexpr Option k_explain_options[] = {k_catalog};

constexpr Option k_mount_options[] = {
    k_catalog,
    {"--foreground", "-f", "", "stay in the foreground, logging on stderr; Ctrl-C unmounts", "",
     Complete::nothing},
    {"-o", "", "OPTS",
     "more mount options for FUSE, comma-separated (e.g. allow_other, which needs user_allow_other in "
     "/etc/fuse.conf when not root); rw is refused",
     "", Complete::nothing},
};

constexpr Option k_materialize_options[] = {
    k_catalog,
    {"--mode", "", "MODE",
     "how each file is made: a hard link (the default: no extra space, one filesystem), a reflink (a clone "
     "on btrfs, XFS and the like), a copy, or a symbolic link",
     "hardlink reflink copy symlink", Complete::nothing},
    {"--dry-run", "", "", "print what would be made, replaced or removed, and change nothing", "",
     Complete::nothing},
};

constexpr Option k_decide_options[] = {
    k_catalog,
    {"--wait", "", "", "when another run is writing the catalog, wait for it instead of stopping", "",
     Complete::nothing},
};

constexpr Option k_decisions_options[] = {k_catalog, json_flag("print JSON Lines, one object per decision")};

constexpr Option k_verify_options[] = {k_catalog};

constexpr Option k_review_options[] = {
    k_catalog,
    {"--jobs", "", "N", "previews made at once (default: one per core)", "", Complete::nothing},
};

constexpr Command k_commands[] = {
    {"index", "[ROOT...]", Complete::directory, "read every file under the roots and plan the view",
     "Adds the folders named to the catalog's roots (roots add up over runs; with none named, the "
     "catalog's roots are read again; a root that is missing is reported and its files kept). "
     "Walks every root without following symlinks and reads each new or changed file's true type and "
     "capture facts into the catalog; a file whose inode, size and times are unchanged is not opened "
     "again. Then plans the view: which files are copies of one capture, which copy is kept, and where "
     "every file goes. The inputs are never changed.",
     k_index_options, cmd_index},
    {"status", "", Complete::nothing, "counts by role, kind, format and device; unreadable files",
     "Prints counts by role, kind, format and device, whether all inputs share one filesystem (hard "
     "links need it), and every file with an error.",
     k_status_options, cmd_status},
    {"list", "", Complete::nothing, "every input file: role, view path, keeper, reason",
     "Prints every input file with its role and its path in the view; with --json one object per "
     "line, the stable interface for scripts.",
     k_list_options, cmd_list},
    {"explain", "PATH", Complete::file, "why a file (an input or a view path) is where it is",
     "Takes an input path or a path in the view (also one inside a mount or a materialized tree) and "
     "prints the file's role, keeper, capture time and device, the reason and every rule that decided, "
     "and the other files of its capture.",
     k_explain_options, cmd_explain},
    {"mount", "MOUNTPOINT", Complete::directory, "show the view as a live read-only filesystem",
     "Shows the view of the catalog as a read-only FUSE filesystem on an empty folder and goes to the "
     "background once the mount is ready. The mount follows the catalog: after an index run, the view "
     "changes within about a second. Nothing on the inputs changes.",
     k_mount_options, cmd_mount},
    {"unmount",
     "MOUNTPOINT",
     Complete::directory,
     "unmount a view mounted with mount",
     "Unmounts a view mounted with mount (also one whose server was killed); when something in it is "
     "still open, detaches it lazily and says so. Any other mount is left alone.",
     {},
     cmd_unmount},
    {"materialize", "OUTDIR", Complete::directory, "write the view as real hard links, reflinks or copies",
     "Writes the view as a real tree in OUTDIR (made when missing). It never overwrites what it did not "
     "make, keeps a record of what it made, and a second run makes nothing; after a re-index it brings "
     "the tree up to date.",
     k_materialize_options, cmd_materialize},
    {"keep", "PATH...", Complete::file, "your decision: each file is the keeper of its capture",
     "Makes each file the keeper of its capture, over every rule, and remembers it: the decision names the "
     "file's content, so it holds through moves, renames, re-indexing and --rebuild. PATH is an input path "
     "or a path in the view (also inside a mount or a materialized tree). The view is re-planned at once.",
     k_decide_options, cmd_keep},
    {"apart", "PATH...", Complete::file, "your decision: each file is no copy of another file",
     "Takes each file out of the capture the rules put it in: it is a capture of its own, with its own "
     "byte-identical copies as its duplicates. Remembered, and re-planned at once, as keep.",
     k_decide_options, cmd_apart},
    {"together", "PATH PATH...", Complete::file, "your decision: these files are one capture",
     "Makes the files one capture, for a copy the rules missed (one re-dated by an importer, say); the "
     "ranking then picks the keeper unless keep says otherwise. Photos with photos, movies with movies, "
     "files that have a capture time. Remembered, and re-planned at once, as keep.",
     k_decide_options, cmd_together},
    {"forget", "PATH...", Complete::file, "drop your decisions on these files",
     "Drops every decision on the files (by their content, or by the path a decision was made on for a "
     "file that is no longer an input); the rules choose again, at once.",
     k_decide_options, cmd_forget},
    {"decisions", "", Complete::nothing, "your decisions, with their dates and files",
     "Lists your decisions with their dates, the files of their content now and where the view has them, "
     "and what did not hold as made (a conflict, the later decision winning, or a file that is gone).",
     k_decisions_options, cmd_decisions},
    {"verify", "OUTDIR", Complete::directory, "may I delete my inputs? may I delete duplicates/?",
     "Checks a tree that materialize made, read-only: the input folders may go when every keeper, "
     "companion, raw-sidecar, unknown-time and other file is held in OUTDIR (a hard link, or the same "
     "bytes; never a symbolic link) and no input changed or came since the last index; duplicates/ may "
     "go when every duplicate's keeper is held. Names every file that says no; exit status 0 only when "
     "both answers are yes.",
     k_verify_options, cmd_verify},
    {"review", "DIR", Complete::directory, "an offline HTML page with previews of every decision",
     "Writes DIR/index.html (made when missing), a page to open in any browser, offline: every capture with "
     "copies (the keeper and each copy side by side, with preview, format, pixels, size, software, mtime, "
     "path, role and the rule that decided), the near misses (stills of one instant the content check kept "
     "apart, with their distances), the Live Photos, unknown_time/, other/, the unreadable files with their "
     "errors and your decisions, each beside the command that would change it; paged by device and month. "
     "Previews are cached by content in DIR/thumbs, so a second run makes only new ones. Reads the inputs, "
     "never changes them, and writes only in DIR, which must lie apart from the input roots and the catalog.",
     k_review_options, cmd_review},
    {"help",
     "[COMMAND]",
     Complete::command,
     "show the options of a command, or this list",
     "Prints the options of COMMAND, or the list of commands.",
     {},
     cmd_help},
    {"version",
     "",
     Complete::nothing,
     "show the version of the tool and of the libraries in use",
     "Prints the version of iphone-photo-dedup and those of the libraries it runs with: libheif, "
     "exiv2, libvips (from the pixels module), RocksDB, libfuse, libmagic and oneTBB.",
     {},
     cmd_version},
};

} // namespace

std::span<const Command> commands() { return k_commands; }

const Command* find_command(std::string_view name) {
  for (const auto& command : k_commands) {
    if (command.name == name) {
      return &command;
    }
  }
  return nullptr;
}

const Option& help_option() { return k_help; }

std::span<const ExitStatus> exit_statuses() { return k_exit_statuses; }

} // namespace ipd::tools
