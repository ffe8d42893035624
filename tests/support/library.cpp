#include "library.hpp"

#include "media.hpp"
#include "movie.hpp"
#include "tmpdir.hpp"

namespace ipd::test {

void make_small_library(const std::filesystem::path& root, unsigned seed) {
  const std::string jpeg = make_jpeg(96, 64, iphone_exif("2021:05:03 14:22:01"), seed + 1);
  write_file(root / "DCIM/100APPLE/IMG_0001.HEIC",
             make_heic(96, 64, iphone_exif("2021:05:03 14:22:01"), seed + 1));
  write_file(root / "DCIM/100APPLE/IMG_0002.JPG",
             make_jpeg(96, 64, iphone_exif("2021:06:01 10:00:00"), seed + 2));
  write_file(root / "DCIM/100APPLE/IMG_0002.AAE", "<plist>edit</plist>");
  write_file(root / "Downloads/IMG_0001.JPG", jpeg);
  write_file(root / "Downloads/IMG_0001 (1).JPG", jpeg);
  write_file(root / "DCIM/101APPLE/IMG_0100.JPG",
             make_jpeg(96, 64, iphone_exif("2019:07:01 08:00:00", "iPhone 8"), seed + 3));
  MovieSpec movie;
  movie.creation_date = "2020-01-02T03:04:05-0700";
  movie.make = "Apple";
  movie.model = "iPhone 12 Pro";
  write_file(root / "DCIM/101APPLE/IMG_0101.MOV", make_mov(movie));
  write_file(root / "Screens/IMG_0200.PNG", make_png(40, 30, seed + 4));
  write_file(root / "notes/todo.txt", "buy milk");
  write_file(root / "notes/odd name with spaces & 'quotes'.txt", "odd");
}

} // namespace ipd::test
