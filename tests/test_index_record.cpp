#include "index/core/record.hpp"
#include "index/core/text.hpp"
#include "index/view/json.hpp"

#include <doctest/doctest.h>

using namespace ipd;

TEST_CASE("EXIF dates parse with subseconds and offsets and print as ISO 8601") {
  CaptureTime t;
  t.source = TimeSource::exif_original;
  REQUIRE(parse_datetime("2021:04:08 16:04:55", t));
  CHECK(format_iso8601(t) == "2021-04-08T16:04:55");
  REQUIRE(parse_subsec("787", t));
  std::int16_t offset = 0;
  REQUIRE(parse_offset("-07:00", offset));
  t.has_offset = true;
  t.offset_minutes = offset;
  CHECK(format_iso8601(t) == "2021-04-08T16:04:55.787-07:00");

  CaptureTime q;
  q.source = TimeSource::quicktime_keys;
  REQUIRE(parse_datetime("2025-05-26T09:27:06-0500", q));
  CHECK(format_iso8601(q) == "2025-05-26T09:27:06-05:00");
  REQUIRE(parse_datetime("2017-02-22T08:20:28.000000Z", q));
  CHECK(format_iso8601(q) == "2017-02-22T08:20:28.000000+00:00");
  REQUIRE(parse_datetime("2003:08:30", q));
  CHECK(format_iso8601(q) == "2003-08-30T00:00:00");
}

TEST_CASE("malformed and unset dates are refused and leave the time as it was") {
  CaptureTime t;
  t.source = TimeSource::exif_original;
  CHECK_FALSE(parse_datetime("0000:00:00 00:00:00", t));
  CHECK_FALSE(parse_datetime("2021:00:04", t));
  CHECK_FALSE(parse_datetime("2021:13:01 00:00:00", t));
  CHECK_FALSE(parse_datetime("2021:01:01 25:00:00", t));
  CHECK_FALSE(parse_datetime("yesterday", t));
  CHECK_FALSE(parse_datetime("", t));
  CHECK(t.local == 0);
  std::int16_t m = 0;
  CHECK_FALSE(parse_offset("+25:00", m));
  CHECK_FALSE(parse_offset("07:00", m));
  CHECK_FALSE(parse_subsec("12a", t));
}

TEST_CASE("civil dates round-trip across eras") {
  for (std::int64_t days : {-719468LL, -1LL, 0LL, 11016LL, 18628LL, 2932896LL}) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(days, y, m, d);
    CHECK(days_from_civil(y, m, d) == days);
  }
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
}

TEST_CASE("device names do not repeat the make") {
  CHECK(device_name("Apple", "iPhone 12 Pro") == "Apple iPhone 12 Pro");
  CHECK(device_name("Canon", "Canon EOS R6") == "Canon EOS R6");
  CHECK(device_name("samsung", "SM-G975F") == "samsung SM-G975F");
  CHECK(device_name("", "") == "");
  CHECK(device_name("Apple", "") == "Apple");
  CHECK(device_name("", "iPhone 4") == "iPhone 4");
  CHECK(device_name("NIKON CORPORATION", "NIKON D750") == "NIKON D750"); // as ExifTool users know it
  CHECK(device_name("OLYMPUS IMAGING CORP.", "E-M10") == "OLYMPUS IMAGING CORP. E-M10");
}

TEST_CASE("formats know their kind and the extension the view gives them") {
  CHECK(kind_of(Format::heic) == Kind::still);
  CHECK(kind_of(Format::dng) == Kind::still);
  CHECK(kind_of(Format::mov) == Kind::movie);
  CHECK(kind_of(Format::aae) == Kind::sidecar);
  CHECK(kind_of(Format::unknown) == Kind::other);
  CHECK(true_extension(Format::mov) == "MOV");
  CHECK(true_extension(Format::jpeg) == "JPG");
  CHECK(format_name(Format::jpeg) == "jpg");
  CHECK(format_name(Format::tiff) == "tiff");
}

TEST_CASE("JSON strings stay valid for any file name bytes") {
  CHECK(json_string("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"");
  CHECK(json_string(std::string("x\x01y", 3)) == "\"x\\u0001y\"");
  CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(json_string("bad\xff") == "\"bad\\ufffd\"");
  CHECK(json_string("\xc0\xaf") == "\"\\ufffd\\ufffd\""); // overlong '/'
  CHECK(display_path("a\nb\xff") == "a\\x0ab\\xff");
  CHECK(valid_utf8("caf\xc3\xa9"));
  CHECK_FALSE(valid_utf8("caf\xe9"));
}
