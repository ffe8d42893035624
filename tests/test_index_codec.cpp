#include "index/catalog/codec.hpp"
#include "tests/support/record_v1.hpp"

#include <doctest/doctest.h>

using namespace ipd;
using ipd::test::k_version_1_bytes;
using ipd::test::version_1_record;

namespace {

FileRecord full_record() {
  FileRecord r;
  r.path = "/photos/IMG_0001.HEIC";
  r.root = 3;
  r.dev = 0xfd01;
  r.ino = 1234567890123ULL;
  r.size = 3'000'000'000ULL;
  r.mtime_ns = 1'700'000'000'123'456'789LL;
  r.ctime_ns = -5; // before 1970
  r.mode = 0100644;
  r.nlink = 2;
  r.kind = Kind::still;
  r.format = Format::heic;
  r.mime = "image/heic";
  r.capture.source = TimeSource::exif_original;
  r.capture.local = 1'620'051'721;
  r.capture.subsec_nanos = 787'000'000;
  r.capture.subsec_digits = 3;
  r.capture.has_offset = true;
  r.capture.offset_minutes = -420;
  r.make = "Apple";
  r.model = "iPhone 12 Pro";
  r.software = "14.3";
  r.width = 3024;
  r.height = 4032;
  r.orientation = 6;
  r.content_id = "843DC95D-BAE8-4E44-AE45-DFD44DF6A359";
  r.burst_id = "D4E4B3D1";
  r.apple_makernote = true;
  r.duration_ms = 1900;
  r.error = "the file is cut short: 71 % of it is missing";
  r.error_detail = "a library's words";
  r.damaged = true;
  r.missing_percent = 71;
  r.original_raw = "IMG_0001.CR2";
  r.fingerprint = std::string(1028, '\x7f');
  r.content_hash = 0xfedcba9876543210ULL;
  r.sample = std::string(1029, '\x3c');
  return r;
}

} // namespace

TEST_CASE("a file record survives encode and decode field for field") {
  const FileRecord r = full_record();
  FileRecord back;
  back.path = r.path;
  REQUIRE(decode(encode(r), back));
  CHECK(back == r);

  FileRecord empty;
  FileRecord empty_back;
  REQUIRE(decode(encode(empty), empty_back));
  CHECK(empty_back == empty);

  for (const TimeSource source : {TimeSource::exif_modified, TimeSource::save_time}) {
    FileRecord dated = r;
    dated.capture.source = source;
    REQUIRE(decode(encode(dated), back));
    CHECK(back.capture.source == source);
  }
}

TEST_CASE("decode refuses an unknown version and every truncation") {
  std::string bytes = encode(full_record());
  FileRecord r;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(decode(std::string_view(bytes).substr(0, n), r));
  }
  std::string future = bytes;
  future[0] = static_cast<char>(k_file_record_version + 1);
  CHECK_FALSE(decode(future, r));
  CHECK_FALSE(decode(bytes + "x", r));
}

TEST_CASE("a record written by version 1 (before samples) is read without a sample") {
  const FileRecord record = version_1_record();
  FileRecord back;
  REQUIRE(decode(k_version_1_bytes, back));
  CHECK(back == record);
  CHECK(back.sample.empty());
  // Re-encoded, it is a version 2 record that reads back the same, and can carry a sample.
  const std::string reencoded = encode(back);
  CHECK(static_cast<std::uint8_t>(reencoded[0]) == k_file_record_version);
  FileRecord again;
  REQUIRE(decode(reencoded, again));
  CHECK(again == record);
  back.sample = std::string(1029, '\x01');
  REQUIRE(decode(encode(back), again));
  CHECK(again.sample == back.sample);
  // A version 1 record with bytes after its last field is corrupt, not a version 2 one.
  CHECK_FALSE(decode(std::string(k_version_1_bytes) + std::string(1, '\0'), again));
}

TEST_CASE("a record of version 2 is read as an intact file without library words") {
  // Version 2 wrote the fields up to the sample; version 3 added four after it.
  FileRecord r = version_1_record();
  r.sample = std::string(1029, '\x02');
  r.error = "truncated: the JPEG ends before its end-of-image marker";
  const std::string v3 = encode(r);
  const std::string v2 = "\x02" + v3.substr(1, v3.size() - 1 - 4);
  FileRecord back;
  back.damaged = true; // left over from a record read before: decode resets it
  back.original_raw = "left over";
  REQUIRE(decode(v2, back));
  CHECK(back == r);
  CHECK_FALSE(back.damaged);
  CHECK(back.original_raw.empty());
  // The four fields of version 3 are all there or the record is corrupt.
  CHECK_FALSE(decode("\x03" + v2.substr(1), back));
}

TEST_CASE("varints cover the whole range") {
  std::string out;
  const std::uint64_t values[] = {0, 1, 127, 128, 300, 1ULL << 35, ~0ULL};
  for (auto v : values) {
    put_varint(out, v);
  }
  put_signed(out, -1);
  put_signed(out, INT64_MIN);
  Reader in(out);
  for (auto v : values) {
    std::uint64_t got = 0;
    REQUIRE(in.get_varint(got));
    CHECK(got == v);
  }
  std::int64_t s = 0;
  REQUIRE(in.get_signed(s));
  CHECK(s == -1);
  REQUIRE(in.get_signed(s));
  CHECK(s == INT64_MIN);
  CHECK(in.at_end());
}

TEST_CASE("a decision survives its key and value and keys sort by size then hash and damage is refused") {
  Decision d;
  d.content = {3'000'000'000ULL, 0xfedcba9876543210ULL};
  d.verdict = Verdict::together;
  d.made_ns = 1'764'000'000'123'456'789LL;
  d.set = 1'764'000'000'123'456'789ULL;
  d.path = "/photos/a\nb/IMG_0001.HEIC";
  const std::string key = decision_key(d.content, d.verdict);
  const std::string value = encode(d);
  Decision back;
  REQUIRE(decode_decision(key, value, back));
  CHECK(back == d);
  CHECK(key.rfind(decision_prefix(d.content), 0) == 0);

  // Big-endian: a smaller size sorts first whatever the hash, and one content's verdicts are adjacent.
  CHECK(decision_key({5, ~0ULL}, Verdict::together) < decision_key({6, 1}, Verdict::keep));
  CHECK(decision_key({6, 1}, Verdict::keep) < decision_key({6, 1}, Verdict::apart));
  CHECK(decision_key({6, 1}, Verdict::together) < decision_key({6, 2}, Verdict::keep));

  for (std::size_t n = 0; n < value.size(); ++n) {
    CHECK_FALSE(decode_decision(key, value.substr(0, n), back));
  }
  CHECK_FALSE(decode_decision(key + "x", value, back));
  CHECK_FALSE(decode_decision(key.substr(0, 16) + "\x03", value, back)); // no such verdict
  std::string other_version = value;
  other_version[0] = 2;
  CHECK_FALSE(decode_decision(key, other_version, back));

  const std::vector<DecisionNoteRow> notes = {{key, "overruled by a later `apart`"},
                                              {decision_prefix({1, 2}), ""}};
  std::vector<DecisionNoteRow> notes_back;
  REQUIRE(decode_decision_notes(encode_decision_notes(notes), notes_back));
  CHECK(notes_back == notes);
}

TEST_CASE("a placement and a near miss read back as written and a version 1 placement reads without the new "
          "fields") {
  Placement p;
  p.role = Role::duplicate;
  p.view = "duplicates/Apple iPhone 8/2019/2019-07/20190701_100000_IMG_0001 (2).JPG";
  p.keeper = "/in/IMG_0001.HEIC";
  p.reason = "duplicate of /in/IMG_0001.HEIC";
  p.rules = "same capture\nkept copy wins on: original format HEIC over JPG";
  p.group = 70000;
  p.same_as = "same capture: from the sample: content distance 0.31 (same below 1.00)";
  p.kept_because = "original format HEIC over JPG";
  const std::string bytes = encode(p);
  Placement back;
  REQUIRE(decode(bytes, back));
  back.source = p.source;
  CHECK(back == p);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK_FALSE(decode(bytes.substr(0, n), back));
  }
  // Version 1: the same fields up to the group, nothing after it.
  Placement old = p;
  old.same_as.clear();
  old.kept_because.clear();
  std::string v1 = encode(old);
  v1.resize(v1.size() - 2); // the two empty strings' lengths
  v1[0] = 1;
  REQUIRE(decode(v1, back));
  CHECK(back == old);
  CHECK_FALSE(decode(v1 + std::string(2, '\0'), back)); // a version 1 placement ends at its group

  const NearMiss miss{"/in/a/IMG_1.JPG", "/in/b/IMG_1 edit.JPG", 3.92, -1,
                      "from the sample: content distance 3.92 (different above 2.00)"};
  const std::string key = near_miss_key(miss.a, miss.b);
  const std::string value = encode(miss);
  NearMiss miss_back;
  REQUIRE(decode_near_miss(key, value, miss_back));
  CHECK(miss_back == miss);
  CHECK(near_miss_key("/in/a", "/z") < near_miss_key("/in/a/b", "/a")); // by the first path, then the second
  for (std::size_t n = 0; n < value.size(); ++n) {
    CHECK_FALSE(decode_near_miss(key, value.substr(0, n), miss_back));
  }
  CHECK_FALSE(decode_near_miss("no separator", value, miss_back));
  CHECK_FALSE(decode_near_miss(key + std::string(1, '\0'), value, miss_back));
}
