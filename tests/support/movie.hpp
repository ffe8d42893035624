// Small, valid QuickTime/MP4 movies made in memory with libavformat's muxer, for tests.
#pragma once

#include <string>

namespace ipd::test {

struct MovieSpec {
  std::string creation_date; // com.apple.quicktime.creationdate, e.g. "2021-05-03T14:22:01-0700"
  std::string make;          // com.apple.quicktime.make
  std::string model;         // com.apple.quicktime.model
  std::string software;      // com.apple.quicktime.software
  std::string content_id;    // com.apple.quicktime.content.identifier
  int width = 64;
  int height = 48;
  int rotation = 0; // clockwise display rotation in degrees, as a display matrix
  double seconds = 1.0;
  std::string creation_time_utc; // movie header creation time, e.g. "2017-02-22T08:20:28Z"
};

// Bytes of a QuickTime .mov with one MJPEG video track, carrying the non-empty Apple keys as
// mdta keys. Throws std::runtime_error when libavformat refuses.
std::string make_mov(const MovieSpec& spec);
// The same as an ISO .mp4.
std::string make_mp4(const MovieSpec& spec);

} // namespace ipd::test
