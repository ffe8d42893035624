// Explicit encoding of every table of the catalog (catalog.hpp): varints, zigzag varints and
// length-prefixed bytes. Every record starts with a version byte; decode refuses versions it
// does not know.
#pragma once

#include "index/core/decision.hpp"
#include "index/core/placement.hpp"
#include "index/core/record.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipd {

// Version 2 added the content sample (FileRecord::sample) at the end; version 3 the library's
// words of an error, the damage of a file planned though damaged and a DNG's original RAW name.
// decode still reads versions 1 and 2, which lack them (empty, intact); the readers that fill
// them came with k_readers_version 3, so such a catalog's files are all read again anyway.
constexpr std::uint8_t k_file_record_version = 3;

void put_varint(std::string& out, std::uint64_t value);
void put_signed(std::string& out, std::int64_t value);
void put_bytes(std::string& out, std::string_view bytes);

// Reads what the put_* functions wrote; every getter returns false past the end or on
// malformed input, and leaves the reader failed.
class Reader {
public:
  explicit Reader(std::string_view in) : m_in(in) {}
  bool get_varint(std::uint64_t& value);
  bool get_signed(std::int64_t& value);
  bool get_bytes(std::string& value);
  bool get_u8(std::uint8_t& value);
  bool at_end() const { return m_in.empty(); }

private:
  std::string_view m_in;
};

// The record without its path (the path is the key).
std::string encode(const FileRecord& record);
// Decodes into `record` (path left as is): this version's records, and version 1's (with an
// empty sample). Returns false for an unknown version or corrupt bytes.
bool decode(std::string_view bytes, FileRecord& record);

// A view entry (the view path is the key).
std::string encode(const ViewEntry& entry);
bool decode(std::string_view bytes, ViewEntry& entry);
// A placement without its source (the input path is the key). Version 2 added same_as and
// kept_because at the end; decode still reads version 1 placements, which lack them.
std::string encode(const Placement& placement);
// Decodes into `placement` (source left as is).
bool decode(std::string_view bytes, Placement& placement);

// The near_misses table: the key is the two input paths with a NUL between them (a first).
std::string near_miss_key(std::string_view a, std::string_view b);
// The near miss without its paths (they are the key).
std::string encode(const NearMiss& miss);
// Decodes a near miss from its key and value. Returns false for an unknown version, a key of
// another form, or corrupt bytes.
bool decode_near_miss(std::string_view key, std::string_view value, NearMiss& miss);

// The roots of an index run, each followed by a NUL.
std::string encode_roots(const std::vector<std::string>& roots);
std::vector<std::string> decode_roots(std::string_view bytes);

// The decisions table: the key is the content's size and hash (big-endian, so that one
// content's decisions are adjacent and sizes sort in order) and the verdict byte.
std::string decision_key(const ContentKey& content, Verdict verdict);
// The first 16 bytes of decision_key(): every decision on one content starts with it.
std::string decision_prefix(const ContentKey& content);
// The decision without its content and verdict (they are the key).
std::string encode(const Decision& decision);
// Decodes a decision from its key and value. Returns false for an unknown version, a key of
// another form, or corrupt bytes.
bool decode_decision(std::string_view key, std::string_view value, Decision& decision);

// What a plan said of the decisions that did not apply as made (meta_key::decision_notes): for
// each, its decision_key() and the note.
struct DecisionNoteRow {
  std::string key;
  std::string note;
  bool operator==(const DecisionNoteRow&) const = default;
};
std::string encode_decision_notes(const std::vector<DecisionNoteRow>& notes);
// False for bytes of another form (`notes` then holds the rows read before them).
bool decode_decision_notes(std::string_view bytes, std::vector<DecisionNoteRow>& notes);

} // namespace ipd
