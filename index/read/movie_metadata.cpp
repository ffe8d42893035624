// The movie reader: libavformat over the caller's descriptor, header only (no frame decoding).
#include "index/core/text.hpp"
#include "index/read/metadata.hpp"
#include "index/read/movie_module.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace ipd {
namespace {

constexpr int k_io_buffer_size = 64 * 1024;

// Reads the file through pread only, keeping its own position.
struct FdSource {
  int fd = -1;
  std::uint64_t size = 0;
  std::uint64_t pos = 0;
  int read_errno = 0;
  bool hit_end = false;
};

int read_packet(void* opaque, std::uint8_t* buf, int buf_size) {
  auto* src = static_cast<FdSource*>(opaque);
  if (buf_size <= 0) {
    return 0;
  }
  if (src->pos >= src->size) {
    src->hit_end = true;
    return AVERROR_EOF;
  }
  const auto want = static_cast<std::size_t>(
      std::min<std::uint64_t>(static_cast<std::uint64_t>(buf_size), src->size - src->pos));
  for (;;) {
    const ssize_t n = ::pread(src->fd, buf, want, static_cast<off_t>(src->pos));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      src->read_errno = errno;
      return AVERROR(errno);
    }
    if (n == 0) {
      src->hit_end = true;
      return AVERROR_EOF;
    }
    src->pos += static_cast<std::uint64_t>(n);
    return static_cast<int>(n);
  }
}

std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
  auto* src = static_cast<FdSource*>(opaque);
  const auto size = static_cast<std::int64_t>(std::min<std::uint64_t>(
      src->size, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
  std::int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
  case AVSEEK_SIZE: return size;
  case SEEK_SET: base = 0; break;
  case SEEK_CUR: base = static_cast<std::int64_t>(src->pos); break;
  case SEEK_END: base = size; break;
  default: return AVERROR(EINVAL);
  }
  if ((offset > 0 && base > std::numeric_limits<std::int64_t>::max() - offset) || base + offset < 0) {
    return AVERROR(EINVAL);
  }
  src->pos = static_cast<std::uint64_t>(base + offset);
  return base + offset;
}

int refuse_io_open(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) {
  return AVERROR(EPERM);
}

struct IoContextFree {
  void operator()(AVIOContext* io) const {
    av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

struct InputClose {
  void operator()(AVFormatContext* ctx) const { avformat_close_input(&ctx); }
};

std::string av_error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(code, buf, sizeof buf) < 0) {
    return "error " + std::to_string(code);
  }
  return display_text(buf);
}

std::string read_error(int error_number) {
  return "cannot read movie: " + std::generic_category().message(error_number);
}

std::string_view tag(const AVDictionary* dict, const char* key) {
  const AVDictionaryEntry* entry = av_dict_get(dict, key, nullptr, 0);
  return entry && entry->value ? std::string_view(entry->value) : std::string_view();
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && text.front() == ' ') {
    text.remove_prefix(1);
  }
  return std::string(text);
}

// The first non-empty value of `keys`, trimmed, with control characters and invalid UTF-8
// escaped (display_text): it is shown to the user as it is stored.
std::string first_tag(const AVDictionary* dict, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (std::string value = trimmed(tag(dict, key)); !value.empty()) {
      return display_text(value);
    }
  }
  return {};
}

CaptureTime capture_time(const AVDictionary* dict) {
  CaptureTime time;
  time.source = TimeSource::quicktime_keys;
  if (parse_datetime(tag(dict, "com.apple.quicktime.creationdate"), time)) {
    return time;
  }
  time = {};
  time.source = TimeSource::quicktime_utc;
  constexpr std::int64_t k_first_real_second = 365 * 86400; // 1971-01-01: before it, an unset epoch
  if (parse_datetime(tag(dict, "creation_time"), time) && time.local >= k_first_real_second) {
    if (!time.has_offset) {
      time.has_offset = true;
      time.offset_minutes = 0;
    }
    if (time.subsec_nanos == 0) {
      time.subsec_digits = 0;
    }
    return time;
  }
  return {};
}

const std::int32_t* display_matrix(const AVStream* stream) {
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
  const AVCodecParameters* par = stream->codecpar;
  for (int i = 0; i < par->nb_coded_side_data; ++i) {
    const AVPacketSideData& side = par->coded_side_data[i];
    if (side.type == AV_PKT_DATA_DISPLAYMATRIX && side.size >= 9 * sizeof(std::int32_t)) {
      return reinterpret_cast<const std::int32_t*>(side.data);
    }
  }
  return nullptr;
#else
  std::size_t size = 0;
  const std::uint8_t* data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
  return data && size >= 9 * sizeof(std::int32_t) ? reinterpret_cast<const std::int32_t*>(data) : nullptr;
#endif
}

bool quarter_turn(const AVStream* stream) {
  const std::int32_t* matrix = display_matrix(stream);
  if (!matrix) {
    return false;
  }
  const double angle = av_display_rotation_get(matrix);
  if (!std::isfinite(angle)) {
    return false;
  }
  const long degrees = std::lround(std::fabs(angle));
  return degrees % 180 == 90;
}

const AVStream* main_video_stream(const AVFormatContext* ctx) {
  const AVStream* best = nullptr;
  std::int64_t best_area = -1;
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* stream = ctx->streams[i];
    const AVCodecParameters* par = stream->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO || (stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      continue;
    }
    const std::int64_t area = std::int64_t{std::max(par->width, 0)} * std::max(par->height, 0);
    if (area > best_area) {
      best = stream;
      best_area = area;
    }
  }
  return best;
}

std::uint32_t duration_ms(const AVFormatContext* ctx, const AVStream* video) {
  std::int64_t ms = -1;
  if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0) {
    ms = av_rescale(ctx->duration, 1000, AV_TIME_BASE);
  } else if (video && video->duration != AV_NOPTS_VALUE && video->duration > 0 && video->time_base.den > 0) {
    ms = av_rescale_q(video->duration, video->time_base, AVRational{1, 1000});
  }
  if (ms <= 0) {
    return 0;
  }
  return static_cast<std::uint32_t>(std::min<std::int64_t>(ms, std::numeric_limits<std::uint32_t>::max()));
}

bool read_exact(int fd, std::uint64_t offset, std::uint8_t* buf, std::size_t len) {
  std::size_t done = 0;
  while (done < len) {
    const ssize_t n = ::pread(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::uint64_t big_endian(const std::uint8_t* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    value = value << 8 | bytes[i];
  }
  return value;
}

// Why the top-level ISO/QuickTime boxes do not fit in the file, or an empty string when they
// do. With `any_box` false only a cut "moov" or "mdat" counts.
std::string truncation(int fd, std::uint64_t size, bool any_box) {
  constexpr int k_max_boxes = 4096;
  auto cut_box = [any_box](const std::string& type) -> std::string {
    if (!any_box && type != "mdat" && type != "moov") {
      return {};
    }
    return "the '" + display_text(type) + "' box runs past the end of the file";
  };
  std::uint64_t offset = 0;
  for (int i = 0; i < k_max_boxes && offset < size; ++i) {
    std::uint8_t header[16];
    if (size - offset < 8 || !read_exact(fd, offset, header, 8)) {
      return any_box ? "the file ends inside a box header" : "";
    }
    const std::string type(reinterpret_cast<const char*>(header) + 4, 4);
    std::uint64_t box_size = big_endian(header, 4);
    if (box_size == 1) {
      if (size - offset < 16 || !read_exact(fd, offset + 8, header + 8, 8)) {
        return cut_box(type);
      }
      box_size = big_endian(header + 8, 8);
    } else if (box_size == 0) {
      return {};
    }
    if (box_size < 8) {
      return {};
    }
    if (box_size > size - offset) {
      return cut_box(type);
    }
    offset += box_size;
  }
  return {};
}

// Whether the file starts with a QuickTime/ISO box the mov demuxer reads, so probing can be skipped.
bool looks_iso(int fd, std::uint64_t size) {
  std::uint8_t header[8];
  if (size < 8 || !read_exact(fd, 0, header, sizeof header)) {
    return false;
  }
  const std::string_view type(reinterpret_cast<const char*>(header) + 4, 4);
  return type == "ftyp" || type == "moov" || type == "mdat" || type == "wide" || type == "free" ||
         type == "skip" || type == "pnot";
}

bool iso_family(const AVInputFormat* format) { return std::string_view(format->name).starts_with("mov,"); }

// What an FFmpeg error code means for the movie's user, in words to act on.
std::string movie_words(int code) {
  switch (code) {
  case AVERROR_PATCHWELCOME:
    return "unsupported movie: it uses a feature the movie reader (FFmpeg) does not support";
  case AVERROR_INVALIDDATA: return "corrupt movie: its data is not valid movie data";
  case AVERROR_EOF: return "the movie is cut short: its data ends early";
  case AVERROR(ENOMEM): return "out of memory";
  default: return "corrupt movie: it cannot be read";
  }
}

// Sets the error of a movie FFmpeg could not open: the tool's words, with FFmpeg's as the detail.
void open_failure(const FdSource& source, const AVInputFormat* format, int code, MediaInfo& info) {
  if (source.read_errno != 0) {
    info.error = read_error(source.read_errno);
    return;
  }
  info.error_detail = av_error_text(code);
  if (iso_family(format)) {
    if (std::string why = truncation(source.fd, source.size, true); !why.empty()) {
      info.error = "the movie is cut short: " + why;
      return;
    }
  } else if (source.hit_end) {
    info.error = "the movie is cut short: its data ends early";
    return;
  }
  info.error = movie_words(code);
}

} // namespace

void init_movie_reader() { av_log_set_level(AV_LOG_QUIET); }

MediaInfo read_movie(int fd, std::uint64_t size) {
  MediaInfo info;
  if (size == 0) {
    info.error = "empty file";
    return info;
  }
  FdSource source{fd, size, 0, 0, false};
  auto* buffer = static_cast<unsigned char*>(av_malloc(k_io_buffer_size));
  if (!buffer) {
    info.error = "out of memory";
    return info;
  }
  std::unique_ptr<AVIOContext, IoContextFree> io(
      avio_alloc_context(buffer, k_io_buffer_size, 0, &source, read_packet, nullptr, seek));
  if (!io) {
    av_free(buffer);
    info.error = "out of memory";
    return info;
  }

  const AVInputFormat* format = looks_iso(fd, size) ? av_find_input_format("mov") : nullptr;
  if (!format) {
    if (const int rc = av_probe_input_buffer2(io.get(), &format, nullptr, nullptr, 0, 0); rc < 0 || !format) {
      info.error = source.read_errno != 0 ? read_error(source.read_errno)
                                          : "corrupt movie: not a recognized movie format";
      return info;
    }
  }
  source.hit_end = false;

  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) {
    info.error = "out of memory";
    return info;
  }
  raw->pb = io.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  raw->io_open = refuse_io_open;
  if (const int rc = avformat_open_input(&raw, nullptr, format, nullptr); rc < 0) {
    open_failure(source, format, rc, info);
    return info;
  }
  std::unique_ptr<AVFormatContext, InputClose> ctx(raw);

  const AVDictionary* meta = ctx->metadata;
  info.capture = capture_time(meta);
  info.make = first_tag(meta, {"com.apple.quicktime.make", "make"});
  info.model = first_tag(meta, {"com.apple.quicktime.model", "model"});
  info.software = first_tag(meta, {"com.apple.quicktime.software"});
  info.content_id = first_tag(meta, {"com.apple.quicktime.content.identifier"});

  const AVStream* video = main_video_stream(ctx.get());
  info.duration_ms = duration_ms(ctx.get(), video);
  if (video) {
    const int width = std::max(video->codecpar->width, 0);
    const int height = std::max(video->codecpar->height, 0);
    const bool swap = quarter_turn(video);
    info.width = static_cast<std::uint32_t>(swap ? height : width);
    info.height = static_cast<std::uint32_t>(swap ? width : height);
  }
  if (source.read_errno != 0) {
    info.error = read_error(source.read_errno);
  } else if (std::string why = iso_family(format) ? truncation(fd, size, false) : std::string();
             !why.empty()) {
    info.error = "the movie is cut short: " + why;
  } else if (!video) {
    info.error = "movie has no video stream";
  }
  return info;
}

} // namespace ipd

extern "C" __attribute__((visibility("default"))) void ipd_movie_module(ipd::MovieModule* out) {
  out->init = ipd::init_movie_reader;
  out->read = ipd::read_movie;
}
