#include "index/read/metadata.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/tmpdir.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <random>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using ipd::MediaInfo;
using ipd::TimeSource;

class Fd {
public:
  explicit Fd(const std::filesystem::path& path) : m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    REQUIRE_MESSAGE(m_fd >= 0, "cannot open ", path.string());
  }
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return m_fd; }
  std::uint64_t size() const {
    struct stat st {};
    REQUIRE(::fstat(m_fd, &st) == 0);
    return static_cast<std::uint64_t>(st.st_size);
  }

private:
  int m_fd;
};

MediaInfo read_bytes(const std::string& bytes, std::uint64_t size) {
  ipd::test::TmpDir dir;
  ipd::test::write_file(dir / "movie.mov", bytes);
  Fd fd(dir / "movie.mov");
  return ipd::read_movie_metadata(fd.get(), size);
}

MediaInfo read_bytes(const std::string& bytes) { return read_bytes(bytes, bytes.size()); }

} // namespace

TEST_CASE("a generated mov gives back its Apple keys and rotation and duration") {
  ipd::test::MovieSpec spec;
  spec.creation_date = "2021-05-03T14:22:01-0700";
  spec.make = "Apple";
  spec.model = "iPhone 12 Pro";
  spec.software = "14.5.1";
  spec.content_id = "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9";
  spec.width = 64;
  spec.height = 48;
  spec.rotation = 90;
  spec.seconds = 1.5;
  spec.creation_time_utc = "2021-05-03T21:22:05Z";

  const MediaInfo info = read_bytes(ipd::test::make_mov(spec));
  CHECK(info.error == "");
  CHECK(info.capture.source == TimeSource::quicktime_keys);
  CHECK(ipd::format_iso8601(info.capture) == "2021-05-03T14:22:01-07:00");
  CHECK(info.capture.has_offset);
  CHECK(info.capture.offset_minutes == -420);
  CHECK(info.make == "Apple");
  CHECK(info.model == "iPhone 12 Pro");
  CHECK(info.software == "14.5.1");
  CHECK(info.content_id == "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9");
  CHECK(info.width == 48);
  CHECK(info.height == 64);
  CHECK(info.duration_ms >= 1450);
  CHECK(info.duration_ms <= 1550);
}

TEST_CASE("rotation by 0 or 180 or 270 degrees") {
  ipd::test::MovieSpec spec;
  spec.width = 80;
  spec.height = 16;
  for (const int rotation : {0, 180, 270, -90}) {
    CAPTURE(rotation);
    spec.rotation = rotation;
    const MediaInfo info = read_bytes(ipd::test::make_mov(spec));
    CHECK(info.error == "");
    const bool quarter = rotation == 270 || rotation == -90;
    CHECK(info.width == (quarter ? 16u : 80u));
    CHECK(info.height == (quarter ? 80u : 16u));
  }
}

TEST_CASE("an mp4 with only the header creation time gives a UTC capture time") {
  ipd::test::MovieSpec spec;
  spec.creation_time_utc = "2017-02-22T08:20:28Z";
  spec.width = 100;
  spec.height = 30;
  spec.seconds = 2.0;

  const MediaInfo info = read_bytes(ipd::test::make_mp4(spec));
  CHECK(info.error == "");
  CHECK(info.capture.source == TimeSource::quicktime_utc);
  CHECK(info.capture.has_offset);
  CHECK(info.capture.offset_minutes == 0);
  CHECK(info.capture.subsec_digits == 0);
  CHECK(ipd::format_iso8601(info.capture) == "2017-02-22T08:20:28+00:00");
  CHECK(info.make == "");
  CHECK(info.model == "");
  CHECK(info.content_id == "");
  CHECK(info.width == 100);
  CHECK(info.height == 30);
  CHECK(info.duration_ms >= 1950);
  CHECK(info.duration_ms <= 2050);
}

TEST_CASE("Apple keys in an mp4 and the keys' date wins over the header's") {
  ipd::test::MovieSpec spec;
  spec.creation_date = "2019-12-31T23:59:59+0530";
  spec.creation_time_utc = "2020-06-01T00:00:00Z";
  spec.make = "Apple";
  spec.model = "iPhone 11";
  const MediaInfo info = read_bytes(ipd::test::make_mp4(spec));
  CHECK(info.error == "");
  CHECK(info.capture.source == TimeSource::quicktime_keys);
  CHECK(ipd::format_iso8601(info.capture) == "2019-12-31T23:59:59+05:30");
  CHECK(info.make == "Apple");
  CHECK(info.model == "iPhone 11");
}

TEST_CASE("a movie with neither date has no capture time") {
  ipd::test::MovieSpec spec;
  spec.make = "Apple";
  const MediaInfo info = read_bytes(ipd::test::make_mov(spec));
  CHECK(info.error == "");
  CHECK_FALSE(info.capture.known());
  CHECK(info.make == "Apple");
}

TEST_CASE("an unparsable creationdate falls back to the header time") {
  ipd::test::MovieSpec spec;
  spec.creation_date = "yesterday";
  spec.creation_time_utc = "2018-03-04T05:06:07Z";
  const MediaInfo info = read_bytes(ipd::test::make_mov(spec));
  CHECK(info.capture.source == TimeSource::quicktime_utc);
  CHECK(ipd::format_iso8601(info.capture) == "2018-03-04T05:06:07+00:00");
}

TEST_CASE("reading uses only the descriptor's bytes up to the given size via pread") {
  ipd::test::MovieSpec spec;
  spec.model = "iPhone 8";
  const std::string bytes = ipd::test::make_mov(spec);
  ipd::test::TmpDir dir;
  ipd::test::write_file(dir / "movie.mov", bytes + std::string(1000, 'x'));
  Fd fd(dir / "movie.mov");
  REQUIRE(::lseek(fd.get(), 17, SEEK_SET) == 17);
  const MediaInfo info = ipd::read_movie_metadata(fd.get(), bytes.size());
  CHECK(info.error == "");
  CHECK(info.model == "iPhone 8");
  CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 17);
}

TEST_CASE("empty or garbage or truncated movies give an error and no crash") {
  SUBCASE("empty") {
    const MediaInfo info = read_bytes("");
    CHECK(info.error == "empty file");
  }
  SUBCASE("random bytes") {
    std::mt19937 rng(42);
    for (const std::size_t size : {1u, 8u, 100u, 5000u, 70000u}) {
      std::string bytes(size, '\0');
      for (char& c : bytes) {
        c = static_cast<char>(rng() & 0xff);
      }
      CAPTURE(size);
      CHECK(read_bytes(bytes).error != "");
    }
  }
  SUBCASE("text") { CHECK(read_bytes("these are not the frames you are looking for\n").error != ""); }
  SUBCASE("cut at many offsets") {
    ipd::test::MovieSpec spec;
    spec.creation_date = "2021-05-03T14:22:01-0700";
    spec.make = "Apple";
    spec.content_id = "X";
    spec.seconds = 3.0;
    for (const std::string& bytes : {ipd::test::make_mov(spec), ipd::test::make_mp4(spec)}) {
      ipd::test::TmpDir dir;
      ipd::test::write_file(dir / "movie", bytes);
      Fd fd(dir / "movie");
      for (std::uint64_t cut = 1; cut < bytes.size(); cut += 97) {
        CAPTURE(cut);
        const MediaInfo info = ipd::read_movie_metadata(fd.get(), cut);
        CHECK(info.error != "");
      }
      const MediaInfo last = ipd::read_movie_metadata(fd.get(), bytes.size() - 1);
      CHECK(last.error.starts_with("the movie is cut short"));
    }
  }
  SUBCASE("bytes flipped inside the header") {
    ipd::test::MovieSpec spec;
    spec.make = "Apple";
    const std::string good = ipd::test::make_mov(spec);
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
      std::string bytes = good;
      for (int i = 0; i < 8; ++i) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
      }
      (void)read_bytes(bytes);
    }
  }
}

TEST_CASE("a descriptor that cannot be read gives a read error") {
  ipd::test::TmpDir dir;
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const MediaInfo info = ipd::read_movie_metadata(fd, 4096);
  ::close(fd);
  CHECK(info.error.starts_with("cannot read movie: "));
}

TEST_CASE("several threads read movies at once") {
  std::vector<std::string> movies;
  for (int i = 0; i < 4; ++i) {
    ipd::test::MovieSpec spec;
    spec.model = "model " + std::to_string(i);
    spec.width = 16 * (i + 1);
    movies.push_back(i % 2 ? ipd::test::make_mp4(spec) : ipd::test::make_mov(spec));
  }
  ipd::test::TmpDir dir;
  for (std::size_t i = 0; i < movies.size(); ++i) {
    ipd::test::write_file(dir / std::to_string(i), movies[i]);
  }
  std::vector<int> failures(movies.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < movies.size(); ++t) {
    threads.emplace_back([&, t] {
      const int fd = ::open((dir / std::to_string(t)).c_str(), O_RDONLY | O_CLOEXEC);
      for (int round = 0; round < 50; ++round) {
        const MediaInfo info = ipd::read_movie_metadata(fd, movies[t].size());
        if (!info.error.empty() || info.model != "model " + std::to_string(t) || info.width != 16 * (t + 1)) {
          ++failures[t];
        }
      }
      ::close(fd);
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  CHECK(failures == std::vector<int>(movies.size(), 0));
}

TEST_CASE("the real corpus movies match the manifest") {
  const std::filesystem::path corpus = ipd::test::corpus_dir();
  if (corpus.empty()) {
    MESSAGE("the real-device corpus is absent; skipping");
    return;
  }
  struct Expected {
    const char* file;
    const char* make;
    const char* model;
    const char* software;
    const char* time;
    TimeSource source;
    const char* content_id;
    std::uint32_t width;
    std::uint32_t height;
    std::uint32_t duration_ms;
  };
  const std::vector<Expected> movies = {
      {"osxp_IMG_3582.mov", "Apple", "iPhone 15 Pro", "18.5", "2025-05-26T09:27:06-05:00",
       TimeSource::quicktime_keys, "602FEBB7-6B59-4799-96E6-9C8484D873C7", 1440, 1920, 1910},
      {"osxp_IMG_3582_edited.mov", "Apple", "iPhone 15 Pro", "18.5", "2025-05-26T09:27:06-05:00",
       TimeSource::quicktime_keys, "87D06EAA-DAEF-4498-ABC5-27FE5C8CE710", 1440, 1920, 1912},
      {"osxp_IMG_4580.mov", "Apple", "iPhone 15 Pro", "18.6", "2025-08-17T19:33:48-04:00",
       TimeSource::quicktime_keys, "4E1A1B89-CE70-4FF8-873B-E4470B839314", 1440, 1920, 2010},
      {"osxp_IMG_2908.MOV", "", "", "", "2017-02-01T11:15:00-08:00", TimeSource::quicktime_keys, "", 720,
       1280, 5347},
      {"osxp_IMG_3539.MOV", "Apple", "iPhone 5", "9.2", "2016-01-18T15:20:40-07:00",
       TimeSource::quicktime_keys, "", 1080, 1920, 567},
      {"osxp_4614086E-C797-4876-B3B9-3057E8D757C9.mov", "Apple", "iPhone 5", "10.3.4",
       "2020-01-12T14:16:17-08:00", TimeSource::quicktime_keys, "", 1920, 1080, 333},
      {"pp_quicktime-hvc1.mov", "Apple", "iPad mini", "17.0", "2023-09-22T18:34:05+02:00",
       TimeSource::quicktime_keys, "", 720, 1280, 1167},
      {"mei_with-gps.mp4", "", "", "", "2017-02-22T08:20:28+00:00", TimeSource::quicktime_utc, "", 1920, 1080,
       171},
      {"osxp_D1359D09-1373-4F3B-B0E3-1A4DE573E4A3.mp4", "", "", "", "2020-12-05T05:21:52+00:00",
       TimeSource::quicktime_utc, "", 1280, 720, 2949},
  };
  for (const Expected& expected : movies) {
    CAPTURE(expected.file);
    const std::filesystem::path path = corpus / expected.file;
    if (!std::filesystem::exists(path)) {
      MESSAGE("missing from the corpus: ", expected.file);
      continue;
    }
    Fd fd(path);
    const MediaInfo info = ipd::read_movie_metadata(fd.get(), fd.size());
    CHECK(info.error == "");
    CHECK(info.make == expected.make);
    CHECK(info.model == expected.model);
    CHECK(info.software == expected.software);
    CHECK(ipd::format_iso8601(info.capture) == expected.time);
    CHECK(info.capture.source == expected.source);
    CHECK(info.content_id == expected.content_id);
    CHECK(info.width == expected.width);
    CHECK(info.height == expected.height);
    CHECK(info.duration_ms == expected.duration_ms);
  }
}
