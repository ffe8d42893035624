#include "index/catalog/codec.hpp"

#include <bit>
#include <cmath>

namespace ipd {

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_signed(std::string& out, std::int64_t value) {
  put_varint(out, (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
}

void put_bytes(std::string& out, std::string_view bytes) {
  put_varint(out, bytes.size());
  out.append(bytes);
}

bool Reader::get_varint(std::uint64_t& value) {
  value = 0;
  for (unsigned shift = 0; shift < 64 && !m_in.empty(); shift += 7) {
    const auto byte = static_cast<std::uint8_t>(m_in.front());
    m_in.remove_prefix(1);
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      return true;
    }
  }
  m_in = {};
  return false;
}

bool Reader::get_signed(std::int64_t& value) {
  std::uint64_t raw = 0;
  if (!get_varint(raw)) {
    return false;
  }
  value = static_cast<std::int64_t>(raw >> 1) ^ -static_cast<std::int64_t>(raw & 1);
  return true;
}

bool Reader::get_bytes(std::string& value) {
  std::uint64_t size = 0;
  if (!get_varint(size) || size > m_in.size()) {
    m_in = {};
    return false;
  }
  value.assign(m_in.substr(0, size));
  m_in.remove_prefix(size);
  return true;
}

bool Reader::get_u8(std::uint8_t& value) {
  if (m_in.empty()) {
    return false;
  }
  value = static_cast<std::uint8_t>(m_in.front());
  m_in.remove_prefix(1);
  return true;
}

namespace {

template <typename T> bool get_uint(Reader& in, T& out) {
  std::uint64_t v = 0;
  if (!in.get_varint(v) || v > static_cast<std::uint64_t>(static_cast<T>(~T{}))) {
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

template <typename E> bool get_enum(Reader& in, E& out, E last) {
  std::uint8_t v = 0;
  if (!in.get_u8(v) || v > static_cast<std::uint8_t>(last)) {
    return false;
  }
  out = static_cast<E>(v);
  return true;
}

constexpr std::uint8_t k_flag_has_offset = 1;
constexpr std::uint8_t k_flag_apple_makernote = 2;
constexpr std::uint8_t k_flag_damaged = 1; // the flags of version 3

} // namespace

std::string encode(const FileRecord& r) {
  std::string out;
  out.reserve(96 + r.mime.size() + r.make.size() + r.model.size() + r.software.size() + r.content_id.size() +
              r.error.size() + r.fingerprint.size() + r.sample.size());
  out.push_back(static_cast<char>(k_file_record_version));
  put_varint(out, r.root);
  put_varint(out, r.dev);
  put_varint(out, r.ino);
  put_varint(out, r.size);
  put_signed(out, r.mtime_ns);
  put_signed(out, r.ctime_ns);
  put_varint(out, r.mode);
  put_varint(out, r.nlink);
  out.push_back(static_cast<char>(r.kind));
  out.push_back(static_cast<char>(r.format));
  put_bytes(out, r.mime);
  out.push_back(static_cast<char>(r.capture.source));
  put_signed(out, r.capture.local);
  put_varint(out, r.capture.subsec_nanos);
  out.push_back(static_cast<char>(r.capture.subsec_digits));
  put_signed(out, r.capture.offset_minutes);
  std::uint8_t flags = 0;
  flags |= r.capture.has_offset ? k_flag_has_offset : 0;
  flags |= r.apple_makernote ? k_flag_apple_makernote : 0;
  out.push_back(static_cast<char>(flags));
  put_bytes(out, r.make);
  put_bytes(out, r.model);
  put_bytes(out, r.software);
  put_varint(out, r.width);
  put_varint(out, r.height);
  put_varint(out, r.orientation);
  put_bytes(out, r.content_id);
  put_bytes(out, r.burst_id);
  put_varint(out, r.duration_ms);
  put_bytes(out, r.link_target);
  put_bytes(out, r.error);
  put_bytes(out, r.fingerprint);
  put_varint(out, r.content_hash);
  put_bytes(out, r.sample);
  put_bytes(out, r.error_detail);
  out.push_back(static_cast<char>(r.damaged ? k_flag_damaged : 0));
  out.push_back(static_cast<char>(r.missing_percent));
  put_bytes(out, r.original_raw);
  return out;
}

bool decode(std::string_view bytes, FileRecord& r) {
  Reader in(bytes);
  std::uint8_t version = 0;
  if (!in.get_u8(version) || version < 1 || version > k_file_record_version) {
    return false;
  }
  std::int64_t offset = 0;
  std::uint8_t flags = 0;
  const bool ok = get_uint(in, r.root) && in.get_varint(r.dev) && in.get_varint(r.ino) &&
                  in.get_varint(r.size) && in.get_signed(r.mtime_ns) && in.get_signed(r.ctime_ns) &&
                  get_uint(in, r.mode) && get_uint(in, r.nlink) && get_enum(in, r.kind, Kind::dir) &&
                  get_enum(in, r.format, Format::xmp) && in.get_bytes(r.mime) &&
                  get_enum(in, r.capture.source, TimeSource::save_time) && in.get_signed(r.capture.local) &&
                  get_uint(in, r.capture.subsec_nanos) && in.get_u8(r.capture.subsec_digits) &&
                  in.get_signed(offset) && in.get_u8(flags) && in.get_bytes(r.make) &&
                  in.get_bytes(r.model) && in.get_bytes(r.software) && get_uint(in, r.width) &&
                  get_uint(in, r.height) && get_uint(in, r.orientation) && in.get_bytes(r.content_id) &&
                  in.get_bytes(r.burst_id) && get_uint(in, r.duration_ms) && in.get_bytes(r.link_target) &&
                  in.get_bytes(r.error) && in.get_bytes(r.fingerprint) && in.get_varint(r.content_hash);
  r.sample.clear(); // version 1 records have none
  r.error_detail.clear();
  r.original_raw.clear();
  std::uint8_t flags3 = 0;
  r.missing_percent = 0;
  if (!ok || (version >= 2 && !in.get_bytes(r.sample)) ||
      (version >= 3 && !(in.get_bytes(r.error_detail) && in.get_u8(flags3) && in.get_u8(r.missing_percent) &&
                         in.get_bytes(r.original_raw))) ||
      !in.at_end() || offset < -24 * 60 || offset > 24 * 60 || (flags3 & ~k_flag_damaged) != 0 ||
      (r.missing_percent > 100 && r.missing_percent != k_missing_unknown)) {
    return false;
  }
  r.damaged = flags3 & k_flag_damaged;
  r.capture.offset_minutes = static_cast<std::int16_t>(offset);
  r.capture.has_offset = flags & k_flag_has_offset;
  r.apple_makernote = flags & k_flag_apple_makernote;
  return true;
}

namespace {

constexpr std::uint8_t k_view_version = 1;
constexpr std::uint8_t k_placement_version = 2; // 2 added same_as and kept_because

bool get_role(Reader& in, Role& role) {
  std::uint8_t byte = 0;
  if (!in.get_u8(byte) || byte > static_cast<std::uint8_t>(Role::other)) {
    return false;
  }
  role = static_cast<Role>(byte);
  return true;
}

} // namespace

std::string encode(const ViewEntry& e) {
  std::string out;
  out.push_back(static_cast<char>(k_view_version));
  put_bytes(out, e.source);
  out.push_back(static_cast<char>(e.role));
  put_varint(out, e.size);
  put_signed(out, e.mtime_ns);
  put_bytes(out, e.reason);
  put_bytes(out, e.keeper);
  put_bytes(out, e.capture);
  put_bytes(out, e.device);
  put_bytes(out, e.content);
  return out;
}

bool decode(std::string_view bytes, ViewEntry& e) {
  Reader in(bytes);
  std::uint8_t version = 0;
  return in.get_u8(version) && version == k_view_version && in.get_bytes(e.source) && get_role(in, e.role) &&
         in.get_varint(e.size) && in.get_signed(e.mtime_ns) && in.get_bytes(e.reason) &&
         in.get_bytes(e.keeper) && in.get_bytes(e.capture) && in.get_bytes(e.device) &&
         in.get_bytes(e.content) && in.at_end();
}

std::string encode(const Placement& p) {
  std::string out;
  out.push_back(static_cast<char>(k_placement_version));
  out.push_back(static_cast<char>(p.role));
  put_bytes(out, p.view);
  put_bytes(out, p.keeper);
  put_bytes(out, p.reason);
  put_bytes(out, p.rules);
  put_varint(out, p.group);
  put_bytes(out, p.same_as);
  put_bytes(out, p.kept_because);
  return out;
}

bool decode(std::string_view bytes, Placement& p) {
  Reader in(bytes);
  std::uint8_t version = 0;
  std::uint64_t group = 0;
  const bool ok = in.get_u8(version) && version >= 1 && version <= k_placement_version &&
                  get_role(in, p.role) && in.get_bytes(p.view) && in.get_bytes(p.keeper) &&
                  in.get_bytes(p.reason) && in.get_bytes(p.rules) && in.get_varint(group);
  p.group = static_cast<std::uint32_t>(group);
  p.same_as.clear(); // version 1 placements have neither
  p.kept_because.clear();
  return ok && (version < 2 || (in.get_bytes(p.same_as) && in.get_bytes(p.kept_because))) && in.at_end();
}

std::string encode_roots(const std::vector<std::string>& roots) {
  std::string out;
  for (const auto& root : roots) {
    out += root;
    out += '\0';
  }
  return out;
}

std::vector<std::string> decode_roots(std::string_view bytes) {
  std::vector<std::string> roots;
  std::size_t start = 0;
  for (std::size_t end; (end = bytes.find('\0', start)) != std::string_view::npos; start = end + 1) {
    roots.emplace_back(bytes.substr(start, end - start));
  }
  return roots;
}

namespace {

constexpr std::uint8_t k_decision_version = 1;
constexpr std::size_t k_decision_prefix_size = 16;

void put_big_endian(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::uint64_t get_big_endian(std::string_view in) {
  std::uint64_t value = 0;
  for (std::size_t k = 0; k < 8; ++k) {
    value = (value << 8) | static_cast<std::uint8_t>(in[k]);
  }
  return value;
}

} // namespace

std::string decision_prefix(const ContentKey& content) {
  std::string out;
  put_big_endian(out, content.size);
  put_big_endian(out, content.hash);
  return out;
}

std::string decision_key(const ContentKey& content, Verdict verdict) {
  std::string out = decision_prefix(content);
  out.push_back(static_cast<char>(verdict));
  return out;
}

std::string encode(const Decision& d) {
  std::string out;
  out.push_back(static_cast<char>(k_decision_version));
  put_signed(out, d.made_ns);
  put_varint(out, d.set);
  put_bytes(out, d.path);
  return out;
}

bool decode_decision(std::string_view key, std::string_view value, Decision& d) {
  if (key.size() != k_decision_prefix_size + 1 ||
      static_cast<std::uint8_t>(key.back()) > static_cast<std::uint8_t>(Verdict::together)) {
    return false;
  }
  d.content = {get_big_endian(key.substr(0, 8)), get_big_endian(key.substr(8, 8))};
  d.verdict = static_cast<Verdict>(key.back());
  Reader in(value);
  std::uint8_t version = 0;
  return in.get_u8(version) && version == k_decision_version && in.get_signed(d.made_ns) &&
         in.get_varint(d.set) && in.get_bytes(d.path) && in.at_end();
}

std::string encode_decision_notes(const std::vector<DecisionNoteRow>& notes) {
  std::string out;
  out.push_back(static_cast<char>(k_decision_version));
  for (const auto& row : notes) {
    put_bytes(out, row.key);
    put_bytes(out, row.note);
  }
  return out;
}

bool decode_decision_notes(std::string_view bytes, std::vector<DecisionNoteRow>& notes) {
  Reader in(bytes);
  std::uint8_t version = 0;
  if (!in.get_u8(version) || version != k_decision_version) {
    return false;
  }
  while (!in.at_end()) {
    DecisionNoteRow row;
    if (!in.get_bytes(row.key) || !in.get_bytes(row.note)) {
      return false;
    }
    notes.push_back(std::move(row));
  }
  return true;
}

namespace {

constexpr std::uint8_t k_near_miss_version = 1;

void put_distance(std::string& out, double distance) {
  put_varint(out, std::bit_cast<std::uint64_t>(distance));
}

bool get_distance(Reader& in, double& distance) {
  std::uint64_t bits = 0;
  if (!in.get_varint(bits)) {
    return false;
  }
  distance = std::bit_cast<double>(bits);
  return std::isfinite(distance);
}

} // namespace

std::string near_miss_key(std::string_view a, std::string_view b) {
  std::string key(a);
  key.push_back('\0');
  key.append(b);
  return key;
}

std::string encode(const NearMiss& miss) {
  std::string out;
  out.push_back(static_cast<char>(k_near_miss_version));
  put_distance(out, miss.sample);
  put_distance(out, miss.whole);
  put_bytes(out, miss.why);
  return out;
}

bool decode_near_miss(std::string_view key, std::string_view value, NearMiss& miss) {
  const auto nul = key.find('\0');
  if (nul == std::string_view::npos || key.find('\0', nul + 1) != std::string_view::npos) {
    return false;
  }
  miss.a = std::string(key.substr(0, nul));
  miss.b = std::string(key.substr(nul + 1));
  Reader in(value);
  std::uint8_t version = 0;
  return in.get_u8(version) && version == k_near_miss_version && get_distance(in, miss.sample) &&
         get_distance(in, miss.whole) && in.get_bytes(miss.why) && in.at_end();
}

} // namespace ipd
