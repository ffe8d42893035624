// Explicit encoding of every table of the catalog (catalog.hpp): varints, zigzag varints and
// length-prefixed bytes. Every record starts with a version byte; decode refuses versions it
// does not know.
#pragma once

#include "index/core/placement.hpp"
#include "index/core/record.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ipd {

// Version 2 added the content sample (FileRecord::sample) at the end; decode still reads
// version 1 records, which lack it.
constexpr std::uint8_t k_file_record_version = 2;

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
// A placement without its source (the input path is the key).
std::string encode(const Placement& placement);
// Decodes into `placement` (source left as is).
bool decode(std::string_view bytes, Placement& placement);

// The roots of an index run, each followed by a NUL.
std::string encode_roots(const std::vector<std::string>& roots);
std::vector<std::string> decode_roots(std::string_view bytes);

} // namespace ipd
