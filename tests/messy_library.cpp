// The messy library in two passes:
//
//   1 plan (serial, from the seed): captures in time order, each a unit of files to write —
//     name, folder, mtime, how to make its bytes, and what the generator knows of it for the
//     ranking (format, pixels, camera metadata, mtime, path)
//   2 make (parallel over units): the original first, then every copy made from its bytes
//     the way the real tool chain does it (decode, bake orientation, re-encode, carry EXIF)
//   3 truth (serial): each group ranked by the documented rules — keeper, raw-sidecar, Live
//     Photo companion, sidecars (the keeper's own first), duplicates, unknown-time, other
#include "tests/messy_library.hpp"

#include "tests/support/encode.hpp"
#include "tests/support/media.hpp"
#include "tests/support/movie.hpp"
#include "tests/support/tmpdir.hpp"
#include "tests/template_fields.hpp"

#include <exiv2/exiv2.hpp>
#include <libheif/heif.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <vips/vips8>

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <tuple>

namespace ipd::test {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Pictures: upright 8-bit sRGB pixels.

struct Picture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb; // interleaved, row-major
};

vips::VImage image_of(const Picture& p) {
  return vips::VImage::new_from_memory(const_cast<std::uint8_t*>(p.rgb.data()), p.rgb.size(), p.width,
                                       p.height, 3, VIPS_FORMAT_UCHAR);
}

// `image` as 3-band 8-bit sRGB.
vips::VImage rgb8(vips::VImage image) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB && image.bands() >= 3) {
    image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  if (image.has_alpha()) {
    image = image.flatten();
  }
  if (image.bands() == 1) {
    image = image.bandjoin({image, image});
  } else if (image.bands() > 3) {
    image = image.extract_band(0, vips::VImage::option()->set("n", 3));
  }
  return image.cast(VIPS_FORMAT_UCHAR);
}

Picture picture_of(const vips::VImage& source) {
  const vips::VImage image = rgb8(source);
  Picture p;
  p.width = image.width();
  p.height = image.height();
  std::size_t size = 0;
  void* memory = image.write_to_memory(&size);
  p.rgb.assign(static_cast<std::uint8_t*>(memory), static_cast<std::uint8_t*>(memory) + size);
  g_free(memory);
  return p;
}

// A gradient between random corner colours, ellipses and a fine texture, all from `seed`.
Picture drawn_picture(int width, int height, std::uint64_t seed) {
  std::mt19937_64 random(seed * 0x9E3779B97F4A7C15ull + 7);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double corners[4][3];
  for (auto& corner : corners) {
    for (double& c : corner) {
      c = 255 * unit(random);
    }
  }
  struct Blob {
    double cx, cy, rx, ry, rgb[3];
  };
  std::vector<Blob> blobs(7);
  for (Blob& b : blobs) {
    b = {unit(random) * width,
         unit(random) * height,
         (0.05 + 0.3 * unit(random)) * width,
         (0.05 + 0.3 * unit(random)) * height,
         {255 * unit(random), 255 * unit(random), 255 * unit(random)}};
  }
  const double fx_wave = 0.02 + 0.2 * unit(random);
  const double fy_wave = 0.02 + 0.2 * unit(random);
  Picture p;
  p.width = width;
  p.height = height;
  p.rgb.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  std::size_t at = 0;
  for (int y = 0; y < height; ++y) {
    const double fy = height > 1 ? double(y) / (height - 1) : 0;
    for (int x = 0; x < width; ++x) {
      const double fx = width > 1 ? double(x) / (width - 1) : 0;
      double px[3];
      for (int c = 0; c < 3; ++c) {
        const double top = corners[0][c] * (1 - fx) + corners[1][c] * fx;
        const double bottom = corners[2][c] * (1 - fx) + corners[3][c] * fx;
        px[c] = top * (1 - fy) + bottom * fy;
      }
      for (const Blob& b : blobs) {
        const double dx = (x - b.cx) / b.rx;
        const double dy = (y - b.cy) / b.ry;
        if (dx * dx + dy * dy <= 1.0) {
          std::copy(std::begin(b.rgb), std::end(b.rgb), px);
        }
      }
      const double texture = 10 * std::sin(x * fx_wave) * std::cos(y * fy_wave);
      for (double c : px) {
        p.rgb[at++] = static_cast<std::uint8_t>(std::clamp(c + texture, 0.0, 255.0));
      }
    }
  }
  return p;
}

// Real pictures, decoded once and shrunk, from which generated captures take their pixels.
class PictureSource {
public:
  PictureSource(const fs::path& corpus, int width, int height) : m_width(width), m_height(height) {
    if (corpus.empty()) {
      return;
    }
    for (const char* name : k_sources) {
      const fs::path path = corpus / name;
      std::error_code ec;
      if (!fs::exists(path, ec)) {
        continue;
      }
      try {
        // Random access: turning a sideways JPEG upright reads it out of order.
        const std::string bytes = read_file(path);
        const vips::VImage upright =
            vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "",
                                          vips::VImage::option()->set("access", VIPS_ACCESS_RANDOM))
                .autorot();
        const double scale = std::max(width, height) * 2.0 / std::max(upright.width(), upright.height());
        Picture picture = picture_of(upright.resize(std::min(1.0, scale)));
        if (image_of(picture).deviate() > 10) { // a picture, not a flat field
          m_pictures.push_back(std::move(picture));
        }
      } catch (const std::exception&) {
        // A corpus file this libvips cannot decode is simply not used as a source.
      }
    }
  }

  // The picture of a generated capture: `width`×`height` (or turned), from a random window of a
  // real picture, or drawn when there is no corpus.
  Picture take(std::mt19937_64& random, bool portrait) const {
    return take(random, portrait ? m_height : m_width, portrait ? m_width : m_height);
  }
  // The same at w×h.
  Picture take(std::mt19937_64& random, int w, int h) const {
    if (m_pictures.empty()) {
      return drawn_picture(w, h, random());
    }
    const Picture& source = m_pictures[random() % m_pictures.size()];
    const double fit = std::min(double(source.width) / w, double(source.height) / h);
    const double scale = fit * (0.45 + 0.5 * std::uniform_real_distribution<double>(0, 1)(random));
    const int cw = std::max(8, static_cast<int>(w * scale));
    const int ch = std::max(8, static_cast<int>(h * scale));
    const int x = static_cast<int>(random() % static_cast<unsigned>(source.width - cw + 1));
    const int y = static_cast<int>(random() % static_cast<unsigned>(source.height - ch + 1));
    vips::VImage window = image_of(source).crop(x, y, cw, ch);
    if (random() % 2) {
      window = window.fliphor();
    }
    const double gain = 0.85 + 0.3 * std::uniform_real_distribution<double>(0, 1)(random);
    window = window.linear({gain, 1.0, 2.0 - gain}, {0.0, 0.0, 0.0}).cast(VIPS_FORMAT_UCHAR);
    return picture_of(
        window.thumbnail_image(w, vips::VImage::option()->set("height", h)->set("size", VIPS_SIZE_FORCE)));
  }

private:
  static constexpr const char* k_sources[] = {
      "osxp_IMG_4076.HEIC", "osxp_IMG_0102.HEIC",       "exifr_heic-iphone.heic", "mei_IMG_1034.heic",
      "osxp_IMG_0658.JPG",  "ianare_iphone_hdr_NO.jpg", "lpfix_pixel_8.jpg",      "osxp_IMG_4179.jpeg"};
  int m_width;
  int m_height;
  std::vector<Picture> m_pictures;
};

// ---------------------------------------------------------------------------------------------
// Encoders and metadata.

// How files are encoded: plainly, or as an iPhone does — a HEIC as a grid of HEVC tiles, a JPEG
// with its chroma halved both ways and a restart marker at the end of every row of 16×16 MCUs
// (DRI 252 at 4032 px, 189 at 3024 px).
enum class Style { plain, iphone };

std::string encode_jpeg(const vips::VImage& image, int quality, Style style = Style::plain) {
  auto* options = vips::VImage::option()->set("Q", quality)->set("strip", true);
  if (style == Style::iphone) {
    options->set("subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON)
        ->set("restart_interval", (image.width() + 15) / 16);
  }
  return blob_bytes(image.jpegsave_buffer(options));
}

// A HEIC as an iPhone stores it: the picture as stored (for orientation 6, turned back a
// quarter), the orientation as irot and in the EXIF, which is written as given.
std::string encode_heic(const Picture& upright, int orientation, const Exiv2::ExifData& exif) {
  const Picture stored = orientation == 6 ? picture_of(image_of(upright).rot(VIPS_ANGLE_D270)) : upright;
  return test::encode_heic(stored.rgb.data(), stored.width, stored.height, orientation, exif, {}, true);
}

void check_heif(heif_error error, const char* what) {
  if (error.code != heif_error_Ok) {
    throw std::runtime_error(std::string(what) + ": " + error.message);
  }
}

// The EXIF of a JPEG or HEIC file (HEIC through libheif: exiv2 0.27 cannot read it).
Exiv2::ExifData exif_of(const std::string& bytes) {
  Exiv2::ExifData exif;
  const bool heif = bytes.size() > 12 && bytes.compare(4, 4, "ftyp") == 0;
  if (!heif) {
    std::lock_guard lock(exiv2_mutex());
    auto file = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()),
                                          static_cast<long>(bytes.size()));
    file->readMetadata();
    return file->exifData();
  }
  std::unique_ptr<heif_context, decltype(&heif_context_free)> context(heif_context_alloc(),
                                                                      heif_context_free);
  check_heif(heif_context_read_from_memory_without_copy(context.get(), bytes.data(), bytes.size(), nullptr),
             "heif read");
  heif_image_handle* raw_handle = nullptr;
  check_heif(heif_context_get_primary_image_handle(context.get(), &raw_handle), "heif primary image");
  std::unique_ptr<heif_image_handle, decltype(&heif_image_handle_release)> handle(raw_handle,
                                                                                  heif_image_handle_release);
  heif_item_id id = 0;
  if (heif_image_handle_get_list_of_metadata_block_IDs(raw_handle, "Exif", &id, 1) != 1) {
    return exif;
  }
  std::string block(heif_image_handle_get_metadata_size(raw_handle, id), '\0');
  check_heif(heif_image_handle_get_metadata(raw_handle, id, block.data()), "heif metadata");
  if (block.size() < 4) {
    return exif;
  }
  const std::size_t skip =
      4 + ((std::size_t(std::uint8_t(block[0])) << 24) | (std::size_t(std::uint8_t(block[1])) << 16) |
           (std::size_t(std::uint8_t(block[2])) << 8) | std::size_t(std::uint8_t(block[3])));
  if (skip >= block.size()) {
    return exif;
  }
  std::lock_guard lock(exiv2_mutex());
  Exiv2::ExifParser::decode(exif, reinterpret_cast<const Exiv2::byte*>(block.data() + skip),
                            static_cast<std::uint32_t>(block.size() - skip));
  return exif;
}

// The upright pixels of a JPEG, PNG or HEIC.
// The copies of a capture are made one after another from the same original by one thread:
// its last decode is kept.
vips::VImage decode(const std::string& bytes) {
  struct Last {
    std::size_t hash = 0;
    std::size_t size = 0;
    vips::VImage image;
  };
  thread_local Last last[2]; // the most recent first
  const std::size_t hash = std::hash<std::string_view>()(bytes);
  for (int i = 0; i < 2; ++i) {
    if (last[i].image.get_image() != nullptr && last[i].hash == hash && last[i].size == bytes.size()) {
      std::swap(last[0], last[i]);
      return last[0].image;
    }
  }
  last[1] = last[0];
  last[0].image = in_memory_without_profile(
      rgb8(vips::VImage::new_from_buffer(bytes.data(), bytes.size(), "").autorot()));
  last[0].hash = hash;
  last[0].size = bytes.size();
  return last[0].image;
}

void erase_keys(Exiv2::ExifData& exif, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    for (auto it = exif.findKey(Exiv2::ExifKey(key)); it != exif.end();
         it = exif.findKey(Exiv2::ExifKey(key))) {
      exif.erase(it);
    }
  }
}

// EXIF for a picture now stored upright at its new size: orientation 1, no thumbnail.
Exiv2::ExifData upright_exif(Exiv2::ExifData exif, const vips::VImage& image) {
  std::lock_guard lock(exiv2_mutex());
  std::vector<std::string> thumbnail;
  for (const auto& datum : exif) {
    if (datum.groupName() == "Thumbnail" || datum.ifdName() == std::string("IFD1")) {
      thumbnail.push_back(datum.key());
    }
  }
  for (const auto& key : thumbnail) {
    for (auto it = exif.findKey(Exiv2::ExifKey(key)); it != exif.end();
         it = exif.findKey(Exiv2::ExifKey(key))) {
      exif.erase(it);
    }
  }
  exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(1);
  exif["Exif.Photo.PixelXDimension"] = static_cast<std::uint32_t>(image.width());
  exif["Exif.Photo.PixelYDimension"] = static_cast<std::uint32_t>(image.height());
  return exif;
}

// What iOS sends on transfer with "Automatic": the HEIC decoded, turned upright, re-encoded as
// JPEG, every tag carried over (MakerNote included).
std::string ios_jpeg(const std::string& heic, Style style = Style::plain) {
  const vips::VImage image = decode(heic);
  return with_metadata(encode_jpeg(image, 90, style), upright_exif(exif_of(heic), image), {});
}

// A Windows importer's re-save: another quality, the importer's Software tag, no MakerNote.
std::string windows_resave(const std::string& jpeg) {
  const vips::VImage image = decode(jpeg);
  Exiv2::ExifData exif = upright_exif(exif_of(jpeg), image);
  {
    std::lock_guard lock(exiv2_mutex());
    erase_keys(exif, {"Exif.Photo.MakerNote"});
    exif["Exif.Image.Software"] = "Microsoft Windows Photo Viewer 6.1.7600.16385";
  }
  return with_metadata(encode_jpeg(image, 96), exif, {});
}

// Google Takeout's storage-saver copy: at most 2048 px (half of a small picture), EXIF date
// and device kept, the MakerNote gone.
std::string takeout_copy(const std::string& bytes) {
  const vips::VImage image = decode(bytes);
  const int longest = std::max(image.width(), image.height());
  // 4032 px becomes 2048, about half: a picture that is small already is halved too.
  const double scale = longest > 2048 ? 2048.0 / longest : 0.5;
  const int w = std::max(1, static_cast<int>(std::lround(image.width() * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(image.height() * scale)));
  const vips::VImage small =
      image.thumbnail_image(w, vips::VImage::option()->set("height", h)->set("size", VIPS_SIZE_FORCE));
  Exiv2::ExifData exif = upright_exif(exif_of(bytes), small);
  {
    std::lock_guard lock(exiv2_mutex());
    erase_keys(exif, {"Exif.Photo.MakerNote"});
  }
  return with_metadata(encode_jpeg(small, 85), exif, {});
}

// A messenger's or web site's copy: re-encoded, smaller, every tag stripped.
std::string stripped_copy(const std::string& bytes, int quality) {
  const vips::VImage image = decode(bytes);
  return encode_jpeg(image.resize(0.8), quality);
}

// An editor's crop: 80 % × 65 % of the picture, date and device kept, MakerNote gone.
std::string crop_copy(const std::string& bytes) {
  const vips::VImage image = decode(bytes);
  const int w = image.width() * 8 / 10;
  const int h = image.height() * 65 / 100;
  const vips::VImage crop = image.crop((image.width() - w) / 3, (image.height() - h) / 2, w, h);
  Exiv2::ExifData exif = upright_exif(exif_of(bytes), crop);
  {
    std::lock_guard lock(exiv2_mutex());
    erase_keys(exif, {"Exif.Photo.MakerNote"});
    exif["Exif.Image.Software"] = "Adobe Photoshop Lightroom Classic 12.0 (Macintosh)";
  }
  return with_metadata(encode_jpeg(crop, 90), exif, {});
}

// ---------------------------------------------------------------------------------------------
// Time and devices.

struct Device {
  const char* model;
  int from_year; // first year it is used in the library
  bool heic;
  bool offset; // writes OffsetTimeOriginal (iOS 13 on)
  bool subsec;
  bool raw; // ProRAW
  const char* software;
};

constexpr Device k_devices[] = {
    {"iPhone 4", 2011, false, false, false, false, "4.1"},
    {"iPhone 6s", 2015, false, false, true, false, "10.3.2"},
    {"iPhone 8", 2017, true, false, true, false, "12.4"},
    {"iPhone XR", 2019, true, true, true, false, "14.4"},
    {"iPhone 12 Pro", 2021, true, true, true, true, "16.1.2"},
    {"iPhone 15 Pro", 2023, true, true, true, true, "18.6"},
};

constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_2011 = 1293840000; // 2011-01-01 00:00:00

struct When {
  std::int64_t local = 0; // wall-clock seconds, as if UTC
  int offset_minutes = 0; // east of UTC
  int millis = 0;         // subseconds
  std::int64_t utc() const { return local - std::int64_t(offset_minutes) * 60; }
};

std::string format_time(std::int64_t local, const char* pattern) {
  const std::time_t t = static_cast<std::time_t>(local);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

std::string offset_text(int minutes, bool colon) {
  char buf[16];
  const int a = std::abs(minutes);
  std::snprintf(buf, sizeof buf, colon ? "%c%02d:%02d" : "%c%02d%02d", minutes < 0 ? '-' : '+', a / 60,
                a % 60);
  return buf;
}

int year_of(std::int64_t local) { return std::stoi(format_time(local, "%Y")); }

const Device& device_for(std::int64_t local) {
  const int year = year_of(local);
  const Device* best = &k_devices[0];
  for (const Device& d : k_devices) {
    if (d.from_year <= year) {
      best = &d;
    }
  }
  return *best;
}

std::string uuid(std::mt19937_64& random) {
  char buf[40];
  const std::uint64_t a = random();
  const std::uint64_t b = random();
  std::snprintf(buf, sizeof buf, "%08X-%04X-4%03X-A%03X-%012llX", unsigned(a >> 32),
                unsigned(a >> 16) & 0xffff, unsigned(a) & 0xfff, unsigned(b >> 52) & 0xfff,
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

struct StillFacts {
  const Device* device = nullptr;
  When when;
  int orientation = 1;
  std::string content_id;
  std::string burst_id;
};

Exiv2::ExifData camera_exif(const StillFacts& f, int stored_width, int stored_height) {
  std::lock_guard lock(exiv2_mutex());
  Exiv2::ExifData exif;
  exif["Exif.Image.Make"] = "Apple";
  exif["Exif.Image.Model"] = f.device->model;
  exif["Exif.Image.Software"] = f.device->software;
  exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(f.orientation);
  const std::string date = format_time(f.when.local, "%Y:%m:%d %H:%M:%S");
  exif["Exif.Image.DateTime"] = date;
  exif["Exif.Photo.DateTimeOriginal"] = date;
  exif["Exif.Photo.DateTimeDigitized"] = date;
  if (f.device->subsec) {
    char ms[8];
    std::snprintf(ms, sizeof ms, "%03d", f.when.millis);
    exif["Exif.Photo.SubSecTimeOriginal"] = ms;
    exif["Exif.Photo.SubSecTimeDigitized"] = ms;
  }
  if (f.device->offset) {
    exif["Exif.Photo.OffsetTimeOriginal"] = offset_text(f.when.offset_minutes, true);
    exif["Exif.Photo.OffsetTime"] = offset_text(f.when.offset_minutes, true);
  }
  exif["Exif.Photo.PixelXDimension"] = static_cast<std::uint32_t>(stored_width);
  exif["Exif.Photo.PixelYDimension"] = static_cast<std::uint32_t>(stored_height);
  const std::string note = apple_makernote_bytes(f.content_id, f.burst_id);
  const Exiv2::DataValue value(reinterpret_cast<const Exiv2::byte*>(note.data()),
                               static_cast<long>(note.size()), Exiv2::invalidByteOrder, Exiv2::undefined);
  exif.add(Exiv2::ExifKey("Exif.Photo.MakerNote"), &value);
  return exif;
}

// A camera original: HEIC on HEIC-era devices, else a JPEG stored sideways for portraits. As
// an iPhone writes them, a HEIC is a grid of 512×512 tiles (640×896 at 24 MP), turned by irot.
std::string camera_original(const Picture& upright, const StillFacts& f, Style style = Style::plain) {
  const bool turned = f.orientation == 6;
  const int sw = turned ? upright.height : upright.width;
  const int sh = turned ? upright.width : upright.height;
  const Exiv2::ExifData exif = camera_exif(f, sw, sh);
  if (f.device->heic && style == Style::iphone) {
    const Picture stored = turned ? picture_of(image_of(upright).rot(VIPS_ANGLE_D270)) : upright;
    const bool mp24 = std::max(sw, sh) > 5000 && std::max(sw, sh) < 7000;
    const int tile_w = mp24 ? (sw > sh ? 640 : 896) : 512;
    const int tile_h = mp24 ? (sw > sh ? 896 : 640) : 512;
    return encode_heic_grid(stored.rgb.data(), stored.width, stored.height, tile_w, tile_h, f.orientation,
                            exif, true);
  }
  if (f.device->heic) {
    return encode_heic(upright, f.orientation, exif);
  }
  vips::VImage stored = image_of(upright);
  if (turned) {
    stored = stored.rot(VIPS_ANGLE_D270);
  }
  return with_metadata(encode_jpeg(stored, 92, style), exif, {});
}

// Photos' rendered edit: the picture toned (subtly: a little brighter everywhere, which a
// fingerprint does not see), upright, with the camera's metadata of `edited`.
std::string edited_copy(const Picture& picture, const StillFacts& edited, bool subtle, Style style) {
  const vips::VImage image = image_of(picture);
  const vips::VImage toned = subtle ? image.linear({1.0, 1.0, 1.0}, {4.0, 4.0, 4.0})
                                    : image.linear({1.15, 1.05, 0.9}, {-10.0, 0.0, 12.0});
  const Picture out = picture_of(toned.cast(VIPS_FORMAT_UCHAR));
  return with_metadata(encode_jpeg(image_of(out), 92, style), camera_exif(edited, out.width, out.height), {});
}

// ---------------------------------------------------------------------------------------------
// Full-size captures, cloned from template families.
//
// A family is a capture made once at full size — its original and every copy the tool chain
// makes of it (iOS JPG, Windows re-save, Takeout copy, stripped copy, crop, edits) — at a fixed
// template instant and with template ids. A capture of the library clones a family: each file
// is the family's, with the capture's instant, subseconds, offset, content id and burst id
// written over the template's in place (tests/template_fields.hpp). Captures that clone one
// family share pixels but never an instant, so they are never candidates of one another; the
// copies of one capture are copies of its family only, as the truth says.

// What two captures' files must share to be clones of one family: the device (its strings,
// which time fields it writes), the orientation, the size, which ids the MakerNote holds, and
// which of the few pictures.
struct FamilyKey {
  int device = 0; // in k_devices
  int orientation = 1;
  int width = 0; // as the sensor sees it (landscape)
  int height = 0;
  bool content_id = false;
  bool burst_id = false;
  unsigned variant = 0;
  auto operator<=>(const FamilyKey&) const = default;
};

constexpr std::int64_t k_template_time = 981173106; // 2001-02-03 04:05:06, in no library
constexpr const char* k_template_content_id = "0F0F0F0F-0000-4000-A000-0000000C0DE1";
constexpr const char* k_template_burst_id = "0F0F0F0F-0000-4000-A000-0000000B0B51";

CaptureFields fields_of(const StillFacts& f) {
  CaptureFields fields;
  fields.date = format_time(f.when.local, "%Y:%m:%d %H:%M:%S");
  if (f.device->subsec) {
    char ms[8];
    std::snprintf(ms, sizeof ms, "%03d", f.when.millis);
    fields.subsec = ms;
  }
  if (f.device->offset) {
    fields.offset = offset_text(f.when.offset_minutes, true);
  }
  fields.content_id = f.content_id;
  fields.burst_id = f.burst_id;
  return fields;
}

// Throws unless the EXIF of `bytes` says what `fields` says.
void check_clone(const std::string& bytes, const CaptureFields& fields) {
  const Exiv2::ExifData exif = exif_of(bytes);
  std::lock_guard lock(exiv2_mutex());
  auto value = [&](const char* key) {
    const auto it = exif.findKey(Exiv2::ExifKey(key));
    return it == exif.end() ? std::string() : it->toString();
  };
  if (value("Exif.Photo.DateTimeOriginal") != fields.date ||
      value("Exif.Photo.SubSecTimeOriginal") != fields.subsec ||
      value("Exif.Photo.OffsetTimeOriginal") != fields.offset) {
    throw std::runtime_error("a clone does not carry its capture's time " + fields.date);
  }
}

class Family {
public:
  Family(const FamilyKey& key, const PictureSource& pictures, unsigned seed)
      : m_key(key), m_pictures(pictures), m_seed(seed) {}

  // The file `member` of this family ("original", "ios", "windows:ios", "windows:original",
  // "takeout", "crop", "edit:subtle", "edit:strong") for the capture of `facts`.
  std::string clone(const std::string& member, const StillFacts& facts) {
    const CaptureFields fields = fields_of(facts);
    std::lock_guard lock(m_mutex);
    Member& m = made(member);
    std::string bytes = m.fields.clone(m.bytes, fields);
    if (!m.checked) {
      check_clone(bytes, fields);
      m.checked = true;
    }
    return bytes;
  }

  // The family's stripped copy (no metadata at all), told apart from the other clones' by a
  // JPEG comment holding `stamp`: else every capture's stripped copy would be one file.
  std::string stamped(const std::string& stamp) {
    std::lock_guard lock(m_mutex);
    const std::string& bytes = made("stripped").bytes;
    const std::string text = "ipd " + stamp;
    std::string comment = "\xFF\xFE";
    comment.push_back(static_cast<char>((text.size() + 2) >> 8));
    comment.push_back(static_cast<char>((text.size() + 2) & 0xff));
    return bytes.substr(0, 2) + comment + text + bytes.substr(2);
  }

private:
  struct Member {
    std::string bytes;
    TemplateFields fields;
    bool checked = false;
  };

  StillFacts template_facts(int orientation) const {
    StillFacts f;
    f.device = &k_devices[m_key.device];
    f.when.local = k_template_time;
    f.when.offset_minutes = -420;
    f.orientation = orientation;
    f.content_id = m_key.content_id ? k_template_content_id : "";
    f.burst_id = m_key.burst_id ? k_template_burst_id : "";
    return f;
  }

  // The upright picture: a window of a real one (or a drawn one) with a sensor's grain, which
  // gives the files an iPhone's sizes (a flat picture compresses to a fraction of them).
  const Picture& picture() {
    if (m_picture.rgb.empty()) {
      std::mt19937_64 random(m_seed * 0x9E3779B97F4A7C15ull + std::uint64_t(m_key.device) * 7919 +
                             m_key.variant * 104729 + std::uint64_t(m_key.width) * 31 +
                             (m_key.content_id ? 1 : 0) + (m_key.burst_id ? 2 : 0) +
                             std::uint64_t(m_key.orientation) * 5);
      const Picture taken = m_pictures.take(random, m_key.width, m_key.height); // image_of does not copy
      vips::VImage image = image_of(taken);
      image = (image + vips::VImage::gaussnoise(m_key.width, m_key.height,
                                                vips::VImage::option()->set("sigma", 3.0)->set("mean", 0.0)))
                  .cast(VIPS_FORMAT_UCHAR);
      if (m_key.orientation == 6) {
        image = image.rot(VIPS_ANGLE_D90);
      }
      m_picture = picture_of(image);
    }
    return m_picture;
  }

  // `name`, made on first use (m_mutex held).
  Member& made(const std::string& name) {
    const auto found = m_members.find(name);
    if (found != m_members.end()) {
      return found->second;
    }
    Member m;
    StillFacts facts = template_facts(m_key.orientation);
    if (name == "original") {
      m.bytes = camera_original(picture(), facts, Style::iphone);
    } else if (name == "ios") {
      m.bytes = ios_jpeg(made("original").bytes, Style::iphone);
    } else if (name == "windows:ios" || name == "windows:original") {
      m.bytes = windows_resave(made(name.substr(8)).bytes);
    } else if (name == "takeout") {
      m.bytes = takeout_copy(made("original").bytes);
    } else if (name == "stripped") {
      m.bytes = stripped_copy(made("original").bytes, 70);
    } else if (name == "crop") {
      m.bytes = crop_copy(made("original").bytes);
    } else if (name == "edit:subtle" || name == "edit:strong") {
      facts = template_facts(1);
      m.bytes = edited_copy(picture(), facts, name == "edit:subtle", Style::iphone);
    } else {
      throw std::logic_error("no family member " + name);
    }
    if (name != "stripped") {
      m.fields = TemplateFields::locate(m.bytes, fields_of(facts));
    }
    return m_members.emplace(name, std::move(m)).first->second;
  }

  const FamilyKey m_key;
  const PictureSource& m_pictures;
  const unsigned m_seed;
  std::mutex m_mutex; // guards m_picture and m_members: one thread makes a family's files
  Picture m_picture;
  std::map<std::string, Member> m_members;
};

// Every family, made when a capture first clones it.
class Families {
public:
  Families(const PictureSource& pictures, unsigned seed) : m_pictures(pictures), m_seed(seed) {}

  // The family of `key`; safe from any thread, and stable (families are never removed).
  Family& of(const FamilyKey& key) {
    std::lock_guard lock(m_mutex);
    auto& family = m_families[key];
    if (!family) {
      family = std::make_unique<Family>(key, m_pictures, m_seed);
    }
    return *family;
  }

private:
  const PictureSource& m_pictures;
  const unsigned m_seed;
  std::mutex m_mutex; // guards m_families
  std::map<FamilyKey, std::unique_ptr<Family>> m_families;
};

std::string aae_text(const std::string& bundle, const std::string& stamp, const std::string& salt) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
         "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<plist version=\"1.0\">\n<dict>\n\t<key>adjustmentBaseVersion</key>\n\t<integer>0</integer>\n"
         "\t<key>adjustmentData</key>\n\t<data>\n\t" +
         salt + "\n\t</data>\n\t<key>adjustmentEditorBundleID</key>\n\t<string>" + bundle +
         "</string>\n\t<key>adjustmentFormatIdentifier</key>\n\t<string>com.apple.photo</string>\n"
         "\t<key>adjustmentFormatVersion</key>\n\t<string>1.11</string>\n"
         "\t<key>adjustmentTimestamp</key>\n\t<date>" +
         stamp + "</date>\n</dict>\n</plist>\n";
}

// ---------------------------------------------------------------------------------------------
// The plan of the library.

enum class Part { media, live_movie, sidecar, untimed, other };

// What the truth needs to know of a file, and how to make it.
struct Job {
  std::string path; // relative
  std::string made_as;
  std::string group;
  std::string made_from;
  Part part = Part::other;
  std::string sidecar_type; // aae, aae-o, xmp
  std::string beside;       // a sidecar's media file (relative path)
  // The ranking, as far as the generator decides it: intact first, lower format, then more pixels,
  // then more camera-original metadata, then the older mtime, shorter path, byte order.
  int format_rank = 3;
  int pixels = 0; // relative: 100 full size, less for downscaled copies
  int camera = 0; // 2 camera metadata, 1 some kept, 0 importer or stripped
  bool raw = false;
  bool error = false;
  bool damaged = false; // cut short but planned: ranked after every intact copy
  std::int64_t mtime = 0;
  std::string key; // stores the bytes under this name in the unit
  std::function<std::string(std::map<std::string, std::string>&)> make; // the bytes
};

// The files of one capture (or a few of junk), made in order by one thread.
struct Unit {
  std::vector<Job> jobs;
};

bool ranks_before(const Job& a, const Job& b) {
  return std::make_tuple(a.damaged, a.format_rank, -a.pixels, -a.camera, a.mtime, a.path.size(), a.path) <
         std::make_tuple(b.damaged, b.format_rank, -b.pixels, -b.camera, b.mtime, b.path.size(), b.path);
}

class Planner {
public:
  // `families`: where full-size captures clone their files from; null: every capture drawn and
  // encoded on its own.
  Planner(const MessyOptions& options, const PictureSource& pictures, Families* families)
      : m_options(options), m_pictures(pictures), m_families(families),
        m_random(options.seed * 0x2545F4914F6CDD1Dull + 1) {}

  std::vector<Unit> plan() {
    std::int64_t local = k_2011 + 3 * 3600 * 24 * 30;
    const std::int64_t span = (2025 - 2011) * 365 * k_day;
    // A turn makes one capture or more (bursts, edits, crops): the years are spread accordingly,
    // the last captures packed before the end of 2024.
    const std::int64_t step = std::max<std::int64_t>(60, span * 3 / 2 / std::max(1u, m_options.captures));
    const std::int64_t end = k_2011 + span;
    if (!m_options.corpus.empty()) {
      plan_corpus();
    }
    unsigned bursts = 0;
    unsigned raws = 0;
    unsigned screenshots = 0;
    for (unsigned turn = 0; m_made < m_options.captures; ++turn) {
      local += 30 + static_cast<std::int64_t>(m_random() % static_cast<std::uint64_t>(2 * step));
      local = std::min(local, end - 60 * static_cast<std::int64_t>(m_options.captures - m_made));
      const Device& device = device_for(local);
      const unsigned dice = static_cast<unsigned>(m_random() % 100);
      // Every kind shows up even in a small library: one capture in eight gets every copy it
      // can have; bursts come about one turn in thirty, the first RAW and screenshot early.
      m_everything = turn % 8 == 3;
      if (device.subsec && bursts * 30 + 5 < turn) {
        ++bursts;
        plan_burst(local, device, bursts % 2 == 1);
      } else if (device.raw && (raws == 0 || dice < 3)) {
        ++raws;
        plan_raw(local, device);
      } else if ((screenshots == 0 && turn >= 2) || (dice >= 3 && dice < 6)) {
        ++screenshots;
        plan_screenshot(local);
      } else if ((m_everything && turn % 16 == 11) || (dice >= 6 && dice < 13)) {
        plan_video(local, device);
      } else {
        plan_still(local, device);
      }
    }
    plan_junk();
    return std::move(m_units);
  }

private:
  // --- names and times ---
  std::uint64_t roll(std::uint64_t n) { return m_random() % n; }
  bool chance(unsigned percent) { return roll(100) < percent; }
  // A copy or sidecar that a capture gets by chance, or always in a capture that shows everything.
  bool want(unsigned percent) { return chance(percent) || m_everything; }

  std::string next_number() {
    ++m_number;
    if (m_number % 10000 == 0) {
      ++m_number;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04u", m_number % 10000);
    return buf;
  }
  std::string dcim_folder() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "DCIM/%03uAPPLE", 100 + (m_number / 500) % 900);
    return buf;
  }
  // A path not used before: on a clash (a wrapped IMG number), " (n)" goes before the extension.
  std::string unique(const std::string& path) {
    std::string candidate = path;
    const auto dot = path.rfind('.');
    for (int n = 2; !m_paths.insert(candidate).second; ++n) {
      candidate = path.substr(0, dot) + " (" + std::to_string(n) + ")" + path.substr(dot);
    }
    return candidate;
  }
  When when_at(std::int64_t local, const Device& device) {
    static constexpr int k_offsets[] = {-420, -300, 60, 120, 0, -240};
    When w;
    w.local = local;
    w.offset_minutes = k_offsets[roll(std::size(k_offsets))];
    w.millis = device.subsec ? static_cast<int>(roll(1000)) : 0;
    return w;
  }
  // An mtime some time after `base` (a download); sometimes before it.
  std::int64_t later(std::int64_t base, bool may_be_older = true) {
    if (may_be_older && chance(15)) {
      return base - 3600 - static_cast<std::int64_t>(roll(400 * k_day));
    }
    return base + 600 + static_cast<std::int64_t>(roll(700 * k_day));
  }
  std::string day_folder(std::int64_t local) { return format_time(local, "%Y-%m-%d"); }

  Job& add(Unit& unit, std::string path, std::string made_as, Part part, std::int64_t mtime) {
    Job job;
    job.path = path.empty() ? path : unique(path);
    job.made_as = std::move(made_as);
    job.part = part;
    job.mtime = mtime;
    unit.jobs.push_back(std::move(job));
    return unit.jobs.back();
  }

  std::string new_group(const std::string& prefix) { return prefix + std::to_string(++m_groups); }

  // The copies the tool chain makes of a capture, each described once for generated and real
  // captures alike: what the ranking sees of it, and how its bytes are made.
  Job& add_ios_jpg(Unit& unit, std::string path, std::int64_t mtime, const std::string& group) {
    Job& job = add(unit, std::move(path), "ios-jpg", Part::media, mtime);
    job.group = group;
    job.format_rank = 2;
    job.pixels = 100;
    job.camera = 2;
    job.key = "ios";
    job.make = [](auto& bytes) { return ios_jpeg(bytes.at("original")); };
    return job;
  }
  // `from`: the key of the JPG the importer opened (the iOS JPG of a HEIC, else the original).
  Job& add_windows_resave(Unit& unit, std::string path, std::int64_t mtime, const std::string& group,
                          const std::string& from) {
    Job& job = add(unit, std::move(path), "windows-resave", Part::media, mtime);
    job.group = group;
    job.format_rank = 2;
    job.pixels = 100;
    job.camera = 0;
    job.make = [from](auto& bytes) { return windows_resave(bytes.at(from)); };
    return job;
  }
  Job& add_takeout(Unit& unit, std::string path, std::int64_t mtime, const std::string& group) {
    Job& job = add(unit, std::move(path), "takeout", Part::media, mtime);
    job.group = group;
    job.format_rank = 2;
    job.pixels = 50;
    job.camera = 1;
    job.make = [](auto& bytes) { return takeout_copy(bytes.at("original")); };
    return job;
  }
  Job& add_byte_copy(Unit& unit, std::string path, std::int64_t mtime, const std::string& group,
                     int format_rank) {
    Job& job = add(unit, std::move(path), "byte-copy", Part::media, mtime);
    job.group = group;
    job.format_rank = format_rank;
    job.pixels = 100;
    job.camera = 2;
    job.make = [](auto& bytes) { return bytes.at("original"); };
    return job;
  }

  // --- captures ---

  // The family a full-size still clones: 12 MP, or on the newest device one still in five at
  // 24 MP and one in twenty at 48 MP (bursts stay at 12 MP).
  Family& family_for(const StillFacts& facts, int burst_variant) {
    FamilyKey key;
    key.device = static_cast<int>(facts.device - k_devices);
    key.orientation = facts.orientation;
    key.width = 4032;
    key.height = 3024;
    if (facts.device == &k_devices[std::size(k_devices) - 1] && facts.burst_id.empty()) {
      const auto dice = roll(100);
      if (dice < 5) {
        key.width = 8064;
        key.height = 6048;
      } else if (dice < 25) {
        key.width = 5712;
        key.height = 4284;
      }
    }
    key.content_id = !facts.content_id.empty();
    key.burst_id = !facts.burst_id.empty();
    key.variant = burst_variant >= 0 ? static_cast<unsigned>(burst_variant)
                                     : static_cast<unsigned>(roll(std::max(1u, m_options.templates)));
    return m_families->of(key);
  }

  // A camera still with everything that happens to one; `burst` frames share their second.
  // `burst_variant`: the family a full-size burst frame clones (-1: any).
  void plan_still(std::int64_t local, const Device& device, const std::string& burst_id = {},
                  const Picture* burst_picture = nullptr, int burst_millis = -1, int burst_variant = -1) {
    Unit unit;
    unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
    const std::string number = next_number();
    const std::string dcim = dcim_folder();
    const std::string stem = "IMG_" + number;
    StillFacts facts;
    facts.device = &device;
    facts.when = when_at(local, device);
    if (burst_millis >= 0) {
      facts.when.millis = burst_millis;
    }
    facts.orientation = chance(30) ? 6 : 1;
    facts.burst_id = burst_id;
    const bool live = burst_id.empty() && device.heic && want(50);
    if (live) {
      facts.content_id = uuid(m_random);
    }
    const std::string group = new_group("c");
    ++m_made;
    const std::int64_t taken = facts.when.utc();
    Family* family = m_families ? &family_for(facts, burst_variant) : nullptr;
    std::shared_ptr<Picture> picture;
    if (!family) {
      picture = std::make_shared<Picture>(burst_picture ? *burst_picture : m_pictures.take(m_random, false));
      if (facts.orientation == 6 && !burst_picture) {
        *picture = picture_of(image_of(*picture).rot(VIPS_ANGLE_D90));
      }
    }
    // A file of the family for the capture of `f`, when the capture clones one.
    auto cloned = [family](const char* member, const StillFacts& f) {
      return [family, member = std::string(member), f](auto&) { return family->clone(member, f); };
    };
    const std::string ext = device.heic ? ".HEIC" : ".JPG";
    const int original_rank = device.heic ? 1 : 2;
    const bool has_original = !burst_id.empty() || want(92);
    const std::string original_path = dcim + "/" + stem + ext;
    const std::int64_t imported = taken + 3600 + static_cast<std::int64_t>(roll(30 * k_day));

    // The original's bytes are always made (copies derive from them), written when present.
    {
      Job& job = add(unit, has_original ? original_path : std::string(),
                     burst_id.empty() ? "original" : "burst-frame", Part::media, imported);
      job.group = group;
      job.format_rank = original_rank;
      job.pixels = 100;
      job.camera = 2;
      job.key = "original";
      job.make = [picture, facts](auto&) { return camera_original(*picture, facts); };
      if (family) {
        job.make = cloned("original", facts);
      }
    }
    // The JPG iOS converts to on transfer (also the source of Windows re-saves).
    std::string jpeg_key = device.heic ? "ios" : "original";
    const bool want_ios = device.heic && (!has_original || want(45));
    const bool want_windows = want(22);
    if (device.heic && (want_ios || want_windows)) {
      const std::string folder = "iPhone transfer " + day_folder(local + 2 * k_day);
      Job& job =
          add_ios_jpg(unit, want_ios ? folder + "/" + stem + ".JPG" : std::string(), later(imported), group);
      if (family) {
        job.make = cloned("ios", facts);
      }
      if (want_ios && want(25)) {
        // The user's edit sidecar came along.
        Job& aae = add(unit, folder + "/" + stem + ".AAE", "aae-copy", Part::sidecar, job.mtime);
        aae.group = group;
        aae.sidecar_type = "aae";
        aae.beside = unit.jobs[unit.jobs.size() - 2].path;
        const std::string text =
            aae_text("com.apple.Photos", format_time(taken, "%Y-%m-%dT%H:%M:%SZ"), group);
        aae.make = [text](auto&) { return text; };
      }
    }
    if (has_original && want(20)) {
      const std::string folder = chance(50) ? "Downloads" : "iCloud Photos";
      add_byte_copy(unit, folder + "/" + stem + " (1)" + ext, later(imported), group, original_rank);
    }
    if (want_windows) {
      const std::string folder = "Pictures/Windows Import/" + day_folder(local + 5 * k_day);
      Job& job = add_windows_resave(unit, folder + "/" + stem + ".JPG", later(imported), group, jpeg_key);
      if (family) {
        job.make = cloned(jpeg_key == "ios" ? "windows:ios" : "windows:original", facts);
      }
      m_thumbs_folders.insert(folder);
    }
    if (want(22)) {
      const std::string folder = "Takeout/Google Photos/Photos from " + std::to_string(year_of(local));
      Job& job = add_takeout(unit, folder + "/" + stem + ".JPG", later(imported), group);
      if (family) {
        job.make = cloned("takeout", facts);
      }
      const std::string json_text = "{\"title\": \"" + stem +
                                    ".JPG\", \"photoTakenTime\": {\"timestamp\": \"" + std::to_string(taken) +
                                    "\"}}\n";
      Job& json = add(unit, job.path + ".json", "takeout-json", Part::other, job.mtime);
      json.made_from = group;
      json.make = [json_text](auto&) { return json_text; };
    }
    if (want(9)) {
      const std::string untimed = new_group("u");
      char name[64];
      std::snprintf(name, sizeof name, "WhatsApp Images/IMG-%s-WA%04u.jpg",
                    format_time(local + k_day, "%Y%m%d").c_str(), m_number % 10000);
      Job& job = add(unit, name, "stripped", Part::untimed, later(imported));
      job.group = untimed;
      job.format_rank = 2;
      job.pixels = 80;
      job.key = "stripped";
      job.make = [](auto& bytes) { return stripped_copy(bytes.at("original"), 70); };
      if (family) {
        job.make = [family, untimed](auto&) { return family->stamped(untimed); };
      }
      if (want(35)) {
        Job& copy = add(unit, "Downloads/" + std::string(fs::path(name).filename()), "stripped-copy",
                        Part::untimed, later(imported));
        copy.group = untimed;
        copy.format_rank = 2;
        copy.pixels = 80;
        copy.make = [](auto& bytes) { return bytes.at("stripped"); };
      }
    }
    if (has_original && burst_id.empty() && want(6)) {
      Job& job = add(unit, "Pictures/Edited/" + stem + ".JPG", "crop", Part::media, later(imported, false));
      job.group = new_group("c");
      ++m_made;
      job.format_rank = 2;
      job.pixels = 50;
      job.make = [](auto& bytes) { return crop_copy(bytes.at("original")); };
      if (family) {
        job.make = cloned("crop", facts);
      }
    }
    // Sidecars and the Live Photo movie beside the original.
    if (has_original && burst_id.empty() && want(20)) {
      Job& job = add(unit, dcim + "/" + stem + ".AAE", "aae", Part::sidecar, imported);
      job.group = group;
      job.sidecar_type = "aae";
      job.beside = original_path;
      const std::string text =
          aae_text("com.apple.Photos", format_time(taken + 86400, "%Y-%m-%dT%H:%M:%SZ"), group);
      job.make = [text](auto&) { return text; };
    }
    if (has_original && burst_id.empty() && want(10)) {
      Job& job = add(unit, dcim + "/IMG_O" + number + ".AAE", "aae-o", Part::sidecar, imported);
      job.group = group;
      job.sidecar_type = "aae-o";
      job.beside = original_path;
      const std::string text = aae_text("com.apple.camera", format_time(taken, "%Y-%m-%dT%H:%M:%SZ"), group);
      job.make = [text](auto&) { return text; };
    }
    if (live && has_original) {
      MovieSpec movie;
      movie.creation_date = format_time(local - static_cast<std::int64_t>(roll(2)), "%Y-%m-%dT%H:%M:%S") +
                            offset_text(facts.when.offset_minutes, false);
      movie.make = "Apple";
      movie.model = device.model;
      movie.software = device.software;
      movie.content_id = facts.content_id;
      movie.width = 96;
      movie.height = 72;
      movie.seconds = 1.5 + 0.1 * static_cast<double>(roll(10));
      Job& job = add(unit, dcim + "/" + stem + ".MOV", "live-mov", Part::live_movie, imported);
      job.group = group;
      job.format_rank = 0;
      job.pixels = 100;
      job.key = "live";
      job.make = [movie](auto&) { return make_mov(movie); };
      if (want(25)) {
        Job& copy =
            add(unit, "Pictures/Windows Import/" + day_folder(local + 5 * k_day) + "/" + stem + ".MOV",
                "live-mov-copy", Part::live_movie, later(imported));
        copy.group = group;
        copy.format_rank = 0;
        copy.pixels = 100;
        copy.make = [](auto& bytes) { return bytes.at("live"); };
      }
    }
    // Photos' rendered edit beside the original: a new content id for a Live Photo, with its
    // own edited movie.
    if (has_original && burst_id.empty() && want(8)) {
      const std::string edit_group = new_group("c");
      ++m_made;
      StillFacts edited = facts;
      edited.orientation = 1;
      if (live) {
        edited.content_id = uuid(m_random);
      }
      const bool subtle = chance(50);
      Job& job = add(unit, dcim + "/IMG_E" + number + ".JPG", "edit", Part::media, imported + 7 * k_day);
      job.group = edit_group;
      job.format_rank = 2;
      job.pixels = 100;
      job.camera = 2;
      // A subtle edit brightens every pixel a little: its fingerprint (which ignores a uniform
      // shift) stays that of the original, so only its IMG_E name keeps it apart.
      job.make = [picture, edited, subtle](auto&) {
        return edited_copy(*picture, edited, subtle, Style::plain);
      };
      if (family) {
        job.make = cloned(subtle ? "edit:subtle" : "edit:strong", edited);
      }
      if (live && want(50)) {
        MovieSpec movie;
        movie.creation_date =
            format_time(local, "%Y-%m-%dT%H:%M:%S") + offset_text(facts.when.offset_minutes, false);
        movie.make = "Apple";
        movie.model = device.model;
        movie.content_id = edited.content_id;
        movie.width = 96;
        movie.height = 72;
        movie.seconds = 1.5;
        Job& mov = add(unit, dcim + "/IMG_E" + number + ".MOV", "edit-mov", Part::live_movie, job.mtime);
        mov.group = edit_group;
        mov.format_rank = 0;
        mov.pixels = 100;
        mov.make = [movie](auto&) { return make_mov(movie); };
      }
    }
    // Broken downloads, cut short. A HEIC made here keeps its Exif after its pictures (libheif's
    // order; an iPhone puts it first), so the cut takes its metadata: it goes to other/. A JPEG
    // keeps its EXIF in front: damaged but placed, a duplicate of its original when the headers
    // tell (subseconds), else a capture of its own.
    if (has_original && want(3)) {
      const bool placed = !device.heic;
      Job& job = add(unit, "Downloads/" + stem + " (broken)" + ext, "truncated",
                     placed ? Part::media : Part::other, later(imported));
      job.made_from = group;
      if (placed) {
        job.group = device.subsec || !facts.content_id.empty() ? group : group + "-broken";
        job.damaged = true;
        job.format_rank = original_rank;
        job.pixels = 100;
        job.camera = 2;
      }
      job.error = true;
      job.make = [](auto& bytes) {
        const std::string& whole = bytes.at("original");
        return whole.substr(0, whole.size() * 6 / 10);
      };
    }
    if (want(2)) {
      Job& job = add(unit, "Downloads/" + stem + ext, "zero-byte", Part::other, later(imported));
      job.made_from = group;
      job.error = true;
      job.make = [](auto&) { return std::string(); };
    }
    m_units.push_back(std::move(unit));
  }

  // Three to five frames of one second with their own subseconds; a still scene makes frames
  // that only their subseconds tell apart.
  void plan_burst(std::int64_t local, const Device& device, bool still_scene) {
    const std::string id = uuid(m_random);
    const unsigned frames = 3 + static_cast<unsigned>(roll(3));
    if (m_families) {
      // Full size: the frames of a still scene clone one family, the others one each.
      const auto variants = std::max(1u, m_options.templates);
      const auto first = static_cast<unsigned>(roll(variants));
      int millis = static_cast<int>(roll(200));
      for (unsigned f = 0; f < frames && m_made < m_options.captures && millis <= 999; ++f) {
        plan_still(local, device, id, nullptr, millis,
                   static_cast<int>((first + (still_scene ? 0 : f)) % variants));
        millis += 90 + static_cast<int>(roll(60));
      }
      return;
    }
    Picture base = m_pictures.take(m_random, false);
    int millis = static_cast<int>(roll(200));
    for (unsigned f = 0; f < frames && m_made < m_options.captures; ++f) {
      Picture frame = base;
      if (still_scene) {
        // Sensor noise: a faint shift of a few grey levels.
        const vips::VImage image =
            image_of(base).linear({1.0, 1.0, 1.0}, {double(f % 3), 0.0, -double(f % 2)});
        frame = picture_of(image.cast(VIPS_FORMAT_UCHAR));
      } else {
        const vips::VImage image = image_of(base);
        const int dx = static_cast<int>(f) * base.width / 12;
        frame = picture_of(image.embed(dx, 0, base.width, base.height,
                                       vips::VImage::option()->set("extend", VIPS_EXTEND_MIRROR)));
      }
      plan_still(local, device, id, &frame, millis);
      millis += 90 + static_cast<int>(roll(60));
      if (millis > 999) {
        break;
      }
    }
  }

  void plan_video(std::int64_t local, const Device& device) {
    Unit unit;
    unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
    const std::string number = next_number();
    const std::string stem = "IMG_" + number;
    const std::string group = new_group("c");
    ++m_made;
    const When when = when_at(local, device);
    MovieSpec movie;
    movie.creation_date = format_time(local, "%Y-%m-%dT%H:%M:%S") + offset_text(when.offset_minutes, false);
    movie.make = "Apple";
    movie.model = device.model;
    movie.software = device.software;
    movie.width = 320;
    movie.height = 180;
    movie.rotation = chance(30) ? 90 : 0;
    movie.seconds = 2.0 + static_cast<double>(roll(60)) / 10;
    const std::int64_t imported = when.utc() + 7200 + static_cast<std::int64_t>(roll(20 * k_day));
    const bool has_original = chance(80);
    {
      Job& job = add(unit, has_original ? dcim_folder() + "/" + stem + ".MOV" : std::string(), "original",
                     Part::media, imported);
      job.group = group;
      job.format_rank = 0;
      job.pixels = 100;
      job.camera = 2;
      job.key = "original";
      job.make = [movie](auto&) { return make_mov(movie); };
    }
    if (!has_original || want(30)) {
      Job& job = add(unit, "Downloads/" + stem + ".jpg", "movie-as-jpg", Part::media, later(imported));
      job.group = group;
      job.format_rank = 0;
      job.pixels = 100;
      job.camera = 2;
      job.make = [](auto& bytes) { return bytes.at("original"); };
    }
    if (want(30)) {
      Job& job = add(unit, "Converted/" + stem + ".mp4", "mp4-copy", Part::media, later(imported));
      job.group = group;
      job.format_rank = 1;
      job.pixels = 100;
      job.camera = 2;
      job.make = [movie](auto&) { return make_mp4(movie); };
    }
    if (want(4)) {
      Job& job = add(unit, "Downloads/" + stem + " (broken).MOV", "truncated", Part::other, later(imported));
      job.made_from = group;
      job.error = true;
      job.make = [](auto& bytes) {
        const std::string& whole = bytes.at("original");
        return whole.substr(0, whole.size() / 2);
      };
    }
    m_units.push_back(std::move(unit));
  }

  void plan_screenshot(std::int64_t local) {
    Unit unit;
    unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
    const std::string stem = "IMG_" + next_number();
    const std::string group = new_group("c");
    ++m_made;
    const std::string created = format_time(local, "%Y-%m-%dT%H:%M:%S");
    auto picture = std::make_shared<Picture>(drawn_picture(200, 432, m_random()));
    Job& job = add(unit, dcim_folder() + "/" + stem + ".PNG", "screenshot", Part::media,
                   local + static_cast<std::int64_t>(roll(k_day)));
    job.group = group;
    job.format_rank = 3;
    job.pixels = 100;
    job.key = "original";
    job.make = [picture, created](auto&) {
      const std::string png =
          blob_bytes(image_of(*picture).pngsave_buffer(vips::VImage::option()->set("strip", true)));
      Exiv2::XmpData xmp;
      {
        std::lock_guard lock(exiv2_mutex());
        xmp["Xmp.photoshop.DateCreated"] = created;
        xmp["Xmp.exif.UserComment"] = "Screenshot";
      }
      return with_metadata(png, {}, xmp);
    };
    if (want(30)) {
      Job& copy = add(unit, "Downloads/" + stem + " (1).PNG", "byte-copy", Part::media, later(job.mtime));
      copy.group = group;
      copy.format_rank = 3;
      copy.pixels = 100;
      copy.make = [](auto& bytes) { return bytes.at("original"); };
    }
    m_units.push_back(std::move(unit));
  }

  // A ProRAW DNG with the JPG the camera saved beside it.
  void plan_raw(std::int64_t local, const Device& device) {
    Unit unit;
    unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
    const std::string stem = "IMG_" + next_number();
    const std::string group = new_group("c");
    ++m_made;
    const When when = when_at(local, device);
    ExifSpec exif;
    exif.date_time_original = format_time(local, "%Y:%m:%d %H:%M:%S");
    char ms[8];
    std::snprintf(ms, sizeof ms, "%03d", when.millis);
    exif.subsec = ms;
    exif.offset = offset_text(when.offset_minutes, true);
    exif.make = "Apple";
    exif.model = device.model;
    exif.software = device.software;
    exif.apple_makernote = true;
    const unsigned seed = static_cast<unsigned>(m_random());
    const std::string dir = dcim_folder();
    const std::int64_t imported = when.utc() + 3600;
    Job& dng = add(unit, dir + "/" + stem + ".DNG", "original", Part::media, imported);
    dng.group = group;
    dng.format_rank = 0;
    dng.pixels = 100;
    dng.camera = 2;
    dng.raw = true;
    dng.make = [exif, seed](auto&) { return make_dng(160, 120, exif, seed); };
    Job& jpg = add(unit, dir + "/" + stem + ".JPG", "raw-jpg", Part::media, imported);
    jpg.group = group;
    jpg.format_rank = 2;
    jpg.pixels = 100;
    jpg.camera = 2;
    jpg.make = [exif, seed](auto&) { return make_jpeg(160, 120, exif, seed); };
    m_units.push_back(std::move(unit));
  }

  // Real files of the corpus, byte for byte, with what downloads make of them.
  void plan_corpus() {
    struct Real {
      const char* name; // in the corpus
      const char* as;   // name in the library's DCIM
      const char* ext;  // the original's format: "mov", "heic" or "jpeg"
      const char* live; // the Live Photo movie in the corpus, or null
      bool derive;      // make conversions, re-saves, Takeout and stripped copies
    };
    static constexpr Real k_real[] = {
        {"osxp_IMG_3582.HEIC", "IMG_3582.HEIC", "heic", "osxp_IMG_3582.mov", true},
        {"osxp_IMG_4580.HEIC", "IMG_4580.HEIC", "heic", "osxp_IMG_4580.mov", true},
        {"osxp_IMG_4076.HEIC", "IMG_4076.HEIC", "heic", nullptr, true},
        {"ianare_IMG_5195.HEIC", "IMG_5195.HEIC", "heic", nullptr, true},
        {"exifr_heic-iphone.heic", "IMG_7001.HEIC", "heic", nullptr, true},
        {"exiv2_2021-02-13-1929.heic", "2021-02-13-1929.heic", "heic", nullptr, true},
        {"mei_IMG_1034.heic", "IMG_1034.HEIC", "heic", nullptr, true},
        {"osxp_FD2D395E-A0DC-46F2-9ABA-826A15CEAC56.heic", "FD2D395E-A0DC-46F2-9ABA-826A15CEAC56.heic",
         "heic", nullptr, false},
        {"osxp_IMG_0102.HEIC", "IMG_0102.HEIC", "heic", nullptr, true},
        {"osxp_IMG_6161.HEIC", "IMG_6161.HEIC", "heic", nullptr, true},
        {"ianare_iphone_hdr_NO.jpg", "IMG_7002.JPG", "jpeg", nullptr, true},
        {"ianare_iphone_hdr_YES.jpg", "IMG_7003.JPG", "jpeg", nullptr, false},
        {"osxp_IMG_0658.JPG", "IMG_0658.JPG", "jpeg", nullptr, true},
        {"osxp_IMG_0664.JPG", "IMG_0664.JPG", "jpeg", nullptr, false},
        {"mei_Apple_iPhone_4.jpg", "IMG_7004.JPG", "jpeg", nullptr, true},
        {"lpfix_pixel_8.jpg", "PXL_20231101_141117049.jpg", "jpeg", nullptr, true},
        {"osxp_IMG_4179.jpeg", "IMG_4179.jpeg", "jpeg", nullptr, false},
        {"osxp_IMG_3539.MOV", "IMG_3539.MOV", "mov", nullptr, false},
        {"pp_quicktime-hvc1.mov", "IMG_7005.MOV", "mov", nullptr, false},
        {"osxp_4614086E-C797-4876-B3B9-3057E8D757C9.mov", "4614086E-C797-4876-B3B9-3057E8D757C9.mov", "mov",
         nullptr, false},
    };
    const fs::path corpus = m_options.corpus;
    auto real = [corpus](const std::string& name) {
      return [path = corpus / name](auto&) { return read_file(path); };
    };
    const std::int64_t imported = 1'700'000'000;
    for (const Real& r : k_real) {
      std::error_code ec;
      if (!fs::exists(corpus / r.name, ec) || m_made >= m_options.captures) {
        continue;
      }
      Unit unit;
      unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
      const std::string group = new_group("r");
      ++m_made;
      const std::string rank = r.ext;
      const int format_rank = rank == "mov" ? 0 : rank == "heic" ? 1 : 2;
      const std::string stem = fs::path(r.as).stem();
      const std::string original = "DCIM/Real/" + std::string(r.as);
      Job& job = add(unit, original, "original", Part::media, imported);
      job.group = group;
      job.format_rank = format_rank;
      job.pixels = 100;
      job.camera = 2;
      job.key = "original";
      job.make = real(r.name);
      if (r.live) {
        Job& mov = add(unit, "DCIM/Real/" + stem + ".MOV", "live-mov", Part::live_movie, imported);
        mov.group = group;
        mov.format_rank = 0;
        mov.pixels = 100;
        mov.make = real(r.live);
      }
      if (std::string(r.name) == "osxp_IMG_3582.HEIC") {
        // The edit family: the Photos edit sidecar, the camera's own, the rendered edit (a new
        // content id) and its movie.
        Job& aae = add(unit, "DCIM/Real/IMG_3582.AAE", "aae", Part::sidecar, imported);
        aae.group = group;
        aae.sidecar_type = "aae";
        aae.beside = original;
        aae.make = real("osxp_IMG_3582.AAE");
        Job& aae_o = add(unit, "DCIM/Real/IMG_O3582.AAE", "aae-o", Part::sidecar, imported);
        aae_o.group = group;
        aae_o.sidecar_type = "aae-o";
        aae_o.beside = original;
        aae_o.make = real("osxp_IMG_O3582.AAE");
        const std::string edit_group = new_group("r");
        ++m_made;
        Job& edit = add(unit, "DCIM/Real/IMG_E3582.HEIC", "edit", Part::media, imported + 10);
        edit.group = edit_group;
        edit.format_rank = 1;
        edit.pixels = 100;
        edit.camera = 2;
        edit.make = real("osxp_IMG_3582_edited.heic");
        Job& edit_mov = add(unit, "DCIM/Real/IMG_E3582.MOV", "edit-mov", Part::live_movie, imported + 10);
        edit_mov.group = edit_group;
        edit_mov.format_rank = 0;
        edit_mov.pixels = 100;
        edit_mov.make = real("osxp_IMG_3582_edited.mov");
      }
      if (std::string(r.name) == "osxp_IMG_6161.HEIC") {
        // ExifTool rewrote a copy's metadata and dropped the MakerNote.
        Job& rewrite =
            add(unit, "Downloads/IMG_6161.heic", "metadata-rewrite", Part::media, imported - k_day);
        rewrite.group = group;
        rewrite.format_rank = 1;
        rewrite.pixels = 100;
        rewrite.camera = 0;
        rewrite.make = real("makelive_test2.heic");
      }
      if (std::string(r.name) == "osxp_IMG_4179.jpeg") {
        const std::string takeout = "Takeout/Google Photos/Photos from 2021/";
        Job& same = add(unit, takeout + "IMG_4179.jpeg", "metadata-rewrite", Part::media, imported - k_day);
        same.group = group;
        same.format_rank = 2;
        same.pixels = 100;
        same.camera = 2; // the same tags as the original; only XMP/IPTC differ: the mtime decides
        same.make = real("osxp_takeout2021_IMG_4179.jpeg");
        Job& copy = add(unit, takeout + "IMG_4179(1).jpeg", "byte-copy", Part::media, imported + k_day);
        copy.group = group;
        copy.format_rank = 2;
        copy.pixels = 100;
        copy.camera = 2;
        copy.make = real("osxp_takeout2021_IMG_4179(1).jpeg");
        const std::string edit_group = new_group("r");
        ++m_made;
        Job& edit = add(unit, takeout + "IMG_4179-edited.jpeg", "edit", Part::media, imported);
        edit.group = edit_group;
        edit.format_rank = 2;
        edit.pixels = 100;
        edit.camera = 2;
        edit.make = real("osxp_takeout2021_IMG_4179-edited.jpeg");
        Job& xmp = add(unit, "DCIM/Real/IMG_4179.jpeg.xmp", "xmp", Part::sidecar, imported);
        xmp.group = group;
        xmp.sidecar_type = "xmp";
        xmp.beside = original;
        xmp.make = real("osxp_IMG_4179.jpeg.xmp");
      }
      if (r.derive) {
        const std::string jpeg_key = rank == "heic" ? "ios" : "original";
        if (rank == "heic") {
          add_ios_jpg(unit, "iPhone transfer real/" + stem + ".JPG", imported + k_day, group);
        }
        add_windows_resave(unit, "Pictures/Windows Import/real/" + stem + ".JPG", imported - 30 * k_day,
                           group, jpeg_key);
        add_takeout(unit, "Takeout/Google Photos/Real/" + stem + ".JPG", imported + 2 * k_day, group);
        add_byte_copy(unit, "Downloads/" + stem + " (1)" + fs::path(r.as).extension().string(),
                      imported + 3 * k_day, group, format_rank);
        Job& stripped = add(unit, "Stripped/" + stem + ".jpg", "stripped", Part::untimed, imported);
        stripped.group = new_group("u");
        stripped.format_rank = 2;
        stripped.pixels = 80;
        stripped.make = [](auto& bytes) { return stripped_copy(bytes.at("original"), 75); };
        if (rank == "heic") {
          Job& crop = add(unit, "Pictures/Edited/" + stem + ".JPG", "crop", Part::media, imported);
          crop.group = new_group("r");
          ++m_made;
          crop.format_rank = 2;
          crop.pixels = 50;
          crop.make = [](auto& bytes) { return crop_copy(bytes.at("original")); };
        }
      }
      m_units.push_back(std::move(unit));
    }
  }

  void plan_junk() {
    Unit unit;
    unit.jobs.reserve(32); // jobs are added while references to earlier ones are held
    const std::int64_t when = 1'600'000'000;
    std::set<std::string> folders;
    for (const Unit& u : m_units) {
      for (const Job& j : u.jobs) {
        if (!j.path.empty()) {
          folders.insert(fs::path(j.path).parent_path().string());
        }
      }
    }
    unsigned n = 0;
    for (const std::string& folder : folders) {
      if (n++ % 3 == 0) {
        Job& job = add(unit, folder + "/.DS_Store", "junk", Part::other, when + n);
        const std::string text = std::string("\0\0\0\1Bud1", 8) + std::string(64, '\0') + folder;
        job.make = [text](auto&) { return text; };
      }
    }
    for (const std::string& folder : m_thumbs_folders) {
      Job& job = add(unit, folder + "/Thumbs.db", "junk", Part::other, when);
      const std::string text =
          std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, '\0') + folder;
      job.make = [text](auto&) { return text; };
    }
    const std::pair<const char*, const char*> notes[] = {
        {"notes.txt", "photos from mum's phone, sort later\n"},
        {"Downloads/desktop.ini",
         "[.ShellClassInfo]\r\nLocalizedResourceName=@%SystemRoot%\\system32\\shell32.dll\r\n"},
        {"Pictures/Windows Import/import log.txt", "Imported from Apple iPhone\n"},
        {"DCIM/Real/St James Park.AAE", nullptr},
        {"Old phone/IMG_0001.AAE", "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>\n"},
        {"Downloads/IMG_9998.HEIC", ""},
    };
    for (const auto& [path, text] : notes) {
      if (!text) {
        std::error_code ec;
        if (m_options.corpus.empty() || !fs::exists(m_options.corpus / "osxp_St James Park.AAE", ec)) {
          continue;
        }
        Job& job = add(unit, path, "orphan-aae", Part::other, when);
        job.make = [path = m_options.corpus / "osxp_St James Park.AAE"](auto&) { return read_file(path); };
        continue;
      }
      const std::string body = text;
      Job& job = add(unit, path,
                     body.empty()                           ? "zero-byte"
                     : fs::path(path).extension() == ".AAE" ? "orphan-aae"
                                                            : "junk",
                     Part::other, when);
      job.error = body.empty();
      job.make = [body](auto&) { return body; };
    }
    m_units.push_back(std::move(unit));
  }

  const MessyOptions& m_options;
  const PictureSource& m_pictures;
  Families* m_families;
  std::mt19937_64 m_random;
  std::vector<Unit> m_units;
  std::set<std::string> m_paths;
  std::set<std::string> m_thumbs_folders;
  bool m_everything = false; // the capture being planned gets every kind of copy it can have
  unsigned m_number = 0;
  unsigned m_made = 0;
  unsigned m_groups = 0;
};

void set_mtime(const fs::path& path, std::int64_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

// ---------------------------------------------------------------------------------------------
// The truth.

int role_rank(const std::string& role) {
  return role == "keeper" || role == "unknown-time"     ? 0
         : role == "raw-sidecar" || role == "companion" ? 1
                                                        : 2;
}

MessyTruth resolve(const std::vector<const Job*>& jobs) {
  MessyTruth truth;
  std::map<std::string, TruthFile> by_path;
  std::map<std::string, std::vector<const Job*>> media, movies, sidecars, untimed;
  for (const Job* j : jobs) {
    TruthFile t;
    t.path = j->path;
    t.made_as = j->made_as;
    t.group = j->group;
    t.made_from = j->made_from.empty() ? j->group : j->made_from;
    t.error = j->error;
    t.role = "other";
    by_path[j->path] = t;
    switch (j->part) {
    case Part::media: media[j->group].push_back(j); break;
    case Part::live_movie: movies[j->group].push_back(j); break;
    case Part::sidecar: sidecars[j->group].push_back(j); break;
    case Part::untimed: untimed[j->group].push_back(j); break;
    case Part::other: by_path[j->path].group.clear(); break;
    }
  }
  auto ranked = [](std::vector<const Job*> list) {
    std::sort(list.begin(), list.end(), [](const Job* a, const Job* b) { return ranks_before(*a, *b); });
    return list;
  };
  std::map<std::string, std::string> keeper_of; // group -> keeper path
  for (auto& [group, list] : media) {
    const auto order = ranked(list);
    const Job* keeper = order.front();
    keeper_of[group] = keeper->path;
    by_path[keeper->path].role = "keeper";
    ++truth.captures;
    bool raw_sidecar_taken = false;
    for (std::size_t i = 1; i < order.size(); ++i) {
      TruthFile& t = by_path[order[i]->path];
      t.keeper = keeper->path;
      if (keeper->raw && !order[i]->raw && !raw_sidecar_taken) {
        t.role = "raw-sidecar";
        raw_sidecar_taken = true;
      } else {
        t.role = "duplicate";
      }
    }
  }
  for (auto& [group, list] : movies) {
    const auto order = ranked(list);
    TruthFile& companion = by_path[order.front()->path];
    companion.role = "companion";
    companion.keeper = keeper_of.at(group);
    for (std::size_t i = 1; i < order.size(); ++i) {
      TruthFile& t = by_path[order[i]->path];
      t.role = "duplicate";
      t.keeper = order.front()->path;
    }
  }
  for (auto& [group, list] : untimed) {
    const auto order = ranked(list);
    by_path[order.front()->path].role = "unknown-time";
    for (std::size_t i = 1; i < order.size(); ++i) {
      TruthFile& t = by_path[order[i]->path];
      t.role = "duplicate";
      t.keeper = order.front()->path;
    }
  }
  for (auto& [group, list] : sidecars) {
    // The sidecar beside the kept file first, then path order; one companion per type.
    std::vector<const Job*> order = list;
    std::sort(order.begin(), order.end(), [&](const Job* a, const Job* b) {
      return std::make_tuple(role_rank(by_path[a->beside].role), a->path) <
             std::make_tuple(role_rank(by_path[b->beside].role), b->path);
    });
    std::set<std::string> types;
    for (const Job* j : order) {
      TruthFile& t = by_path[j->path];
      t.role = types.insert(j->sidecar_type).second ? "companion" : "duplicate";
      t.keeper = keeper_of.at(group);
    }
  }
  for (auto& [path, t] : by_path) {
    truth.files.push_back(std::move(t));
  }
  return truth;
}

} // namespace

MessyTruth make_messy_library(const fs::path& library, const MessyOptions& options) {
  init_media_libraries();
  const PictureSource pictures(options.corpus, options.width, options.height);
  Families families(pictures, options.seed);
  std::vector<Unit> units = Planner(options, pictures, options.templates ? &families : nullptr).plan();

  const unsigned jobs = options.jobs ? options.jobs : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, jobs);
  std::mutex error_mutex;
  std::string first_error; // guarded by error_mutex
  tbb::parallel_for(std::size_t(0), units.size(), [&](std::size_t u) {
    std::map<std::string, std::string> bytes;
    try {
      for (Job& job : units[u].jobs) {
        std::string content = job.make(bytes);
        if (!job.path.empty()) {
          const fs::path path = library / job.path;
          write_file(path, content);
          set_mtime(path, job.mtime);
        }
        if (!job.key.empty()) {
          bytes[job.key] = std::move(content);
        }
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(error_mutex);
      if (first_error.empty()) {
        first_error = e.what();
      }
    }
  });
  if (!first_error.empty()) {
    throw std::runtime_error("messy library: " + first_error);
  }
  std::vector<const Job*> written;
  for (const Unit& unit : units) {
    for (const Job& job : unit.jobs) {
      if (!job.path.empty()) {
        written.push_back(&job);
      }
    }
  }
  return resolve(written);
}

void write_truth_tsv(const fs::path& file, const MessyTruth& truth) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << "path\tmade_as\tgroup\tmade_from\trole\tkeeper\terror\n";
  for (const TruthFile& t : truth.files) {
    out << t.path << '\t' << t.made_as << '\t' << t.group << '\t' << t.made_from << '\t' << t.role << '\t'
        << t.keeper << '\t' << (t.error ? 1 : 0) << '\n';
  }
  if (!out) {
    throw std::runtime_error("cannot write " + file.string());
  }
}

} // namespace ipd::test
