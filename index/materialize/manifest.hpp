// The manifest: what materialize made in OUTDIR, path by path. It is the file k_manifest_name
// at the top of OUTDIR, rewritten whole at the end of each run; its journal (journal_name())
// has the same form and is appended to before a run makes anything.
//
//   manifest = "ipd-materialized\n"  version (1 byte, 1)  entry*
//   entry    = bytes path  kind (1 byte, MadeKind)  bytes source  varint dev  varint ino
//              varint size  signed mtime_ns
//
// (bytes, varint and signed as the catalog's codec writes them: index/catalog/codec.hpp.)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <time.h>

namespace ipd::materialize_detail {

// What a path of OUTDIR holds because materialize put it there.
enum class MadeKind : std::uint8_t { link, clone, copy, symlink, generated, dir };

struct Made {
  MadeKind kind = MadeKind::link;
  std::string source;             // the input it came from (a symlink's target)
  std::uint64_t dev = 0, ino = 0; // of the output; 0: not known yet (journal of a copy)
  std::uint64_t size = 0;         // of the output
  std::int64_t mtime_ns = 0;      // of the output; 0: not known
};

using Manifest = std::map<std::string, Made, std::less<>>; // view path -> what was made there

// The journal beside the manifest, and the temporary name the manifest is written under.
std::string journal_name();
std::string manifest_temp_name();

// The magic and version that start a manifest or a journal.
std::string manifest_header();

// Appends one entry: `path` holds `m`, made from `source` (m.source is not written).
void put_entry(std::string& out, std::string_view path, const Made& m, std::string_view source);

// Reads a manifest or journal into `manifest` (later entries win). A torn last entry (a journal
// cut short by a kill) ends the reading. Returns false when the header is not ours.
bool decode_manifest(std::string_view bytes, Manifest& manifest);

// An entry of `kind` for an output with these facts (no source).
Made made_from(std::uint64_t dev, std::uint64_t ino, std::uint64_t size, const timespec& mtime,
               MadeKind kind);
// An entry of `kind` for the output `st`, made from `source`.
Made made_from(const struct stat& st, MadeKind kind, std::string source);

// True when `st` (at dirfd/name) is what `m` says was made there.
bool matches(const Made& m, const struct stat& st, int dirfd, const char* name);

// True when deleting the file `m` made (now `st`) loses no input's data: another name holds the
// inode, or the input it was made from is still there.
bool survives(const Made& m, const struct stat& st);

} // namespace ipd::materialize_detail
