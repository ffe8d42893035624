// A file record as version 1 of the catalog codec wrote it (before samples), byte for byte, and
// the record it holds: tests that a catalog of the previous version is still read.
#pragma once

#include "index/core/record.hpp"

#include <string>
#include <string_view>

namespace ipd::test {

// Written by index/catalog/codec.cpp at record version 1 for version_1_record() (path aside).
inline constexpr std::string_view k_version_1_bytes{
    "\x01\x01\x81\xfa\x03\x92\x21\x8a\xff\x6d\x80\x90\xf0\x92\xd3\x97\x8c\xbf\x2f\x82\x90\xf0\x92\xd3"
    "\x97\x8c\xbf\x2f\xa4\x83\x02\x01\x01\x02\x0a\x69\x6d\x61\x67\x65\x2f\x68\x65\x69\x63\x01\xb4\xae"
    "\xea\xdf\x0c\xc0\xf6\xf7\x5d\x03\xdf\x03\x03\x05\x41\x70\x70\x6c\x65\x1a\x69\x50\x68\x6f\x6e\x65"
    "\x20\x53\x45\x20\x28\x32\x6e\x64\x20\x67\x65\x6e\x65\x72\x61\x74\x69\x6f\x6e\x29\x06\x31\x37\x2e"
    "\x33\x2e\x31\xc0\x1f\xd0\x17\x01\x08\x45\x42\x33\x44\x45\x43\x43\x41\x00\x00\x00\x00\x04\x10\x10"
    "\x10\x10\xb4\x24",
    124};

inline FileRecord version_1_record() {
  FileRecord r;
  r.root = 1;
  r.dev = 0xfd01;
  r.ino = 4242;
  r.size = 1802122;
  r.mtime_ns = 1711113178000000000LL;
  r.ctime_ns = 1711113178000000001LL;
  r.mode = 0100644;
  r.nlink = 1;
  r.kind = Kind::still;
  r.format = Format::heic;
  r.mime = "image/heic";
  r.capture.source = TimeSource::exif_original;
  r.capture.local = 1711098778;
  r.capture.subsec_nanos = 197000000;
  r.capture.subsec_digits = 3;
  r.capture.has_offset = true;
  r.capture.offset_minutes = -240;
  r.make = "Apple";
  r.model = "iPhone SE (2nd generation)";
  r.software = "17.3.1";
  r.width = 4032;
  r.height = 3024;
  r.orientation = 1;
  r.content_id = "EB3DECCA";
  r.apple_makernote = true;
  r.fingerprint = std::string(4, '\x10');
  r.content_hash = 0x1234;
  return r;
}

} // namespace ipd::test
