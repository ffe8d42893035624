#include "movie.hpp"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace ipd::test {
namespace {

constexpr int k_frames_per_second = 10;
constexpr int k_io_buffer_size = 4096;

void put_u16(std::string& out, unsigned value) {
  out += static_cast<char>((value >> 8) & 0xff);
  out += static_cast<char>(value & 0xff);
}

void put_marker(std::string& out, unsigned marker, unsigned length) {
  put_u16(out, marker);
  put_u16(out, length);
}

// A baseline greyscale JPEG of a flat mid-grey picture: one-code Huffman tables, every block
// "DC difference 0, end of block".
std::string grey_jpeg(int width, int height) {
  std::string out;
  put_u16(out, 0xffd8);
  put_marker(out, 0xffdb, 67);
  out += '\0';
  out.append(64, '\1');
  put_marker(out, 0xffc0, 11);
  out += '\x08';
  put_u16(out, static_cast<unsigned>(height));
  put_u16(out, static_cast<unsigned>(width));
  out += "\x01\x01\x11";
  out += '\0';
  for (const char table_class : {'\x00', '\x10'}) {
    put_marker(out, 0xffc4, 20);
    out += table_class;
    out += '\x01';
    out.append(15, '\0');
    out += '\0';
  }
  put_marker(out, 0xffda, 8);
  out += "\x01\x01";
  out += '\0';
  out += '\0';
  out += '\x3f';
  out += '\0';
  const std::size_t blocks =
      static_cast<std::size_t>((width + 7) / 8) * static_cast<std::size_t>((height + 7) / 8);
  const std::size_t bits = 2 * blocks;
  out.append(bits / 8, '\0');
  if (bits % 8 != 0) {
    out += static_cast<char>(0xff >> (bits % 8));
  }
  put_u16(out, 0xffd9);
  return out;
}

struct MemorySink {
  std::string bytes;
  std::size_t pos = 0;
};

#if LIBAVFORMAT_VERSION_MAJOR >= 61
int write_packet(void* opaque, const std::uint8_t* buf, int size) {
#else
int write_packet(void* opaque, std::uint8_t* buf, int size) {
#endif
  auto* sink = static_cast<MemorySink*>(opaque);
  const auto n = static_cast<std::size_t>(size);
  if (sink->bytes.size() < sink->pos + n) {
    sink->bytes.resize(sink->pos + n);
  }
  std::memcpy(sink->bytes.data() + sink->pos, buf, n);
  sink->pos += n;
  return size;
}

std::int64_t seek_sink(void* opaque, std::int64_t offset, int whence) {
  auto* sink = static_cast<MemorySink*>(opaque);
  std::int64_t base = 0;
  switch (whence & ~AVSEEK_FORCE) {
  case AVSEEK_SIZE: return static_cast<std::int64_t>(sink->bytes.size());
  case SEEK_SET: break;
  case SEEK_CUR: base = static_cast<std::int64_t>(sink->pos); break;
  case SEEK_END: base = static_cast<std::int64_t>(sink->bytes.size()); break;
  default: return AVERROR(EINVAL);
  }
  if (base + offset < 0) {
    return AVERROR(EINVAL);
  }
  sink->pos = static_cast<std::size_t>(base + offset);
  return base + offset;
}

struct IoContextFree {
  void operator()(AVIOContext* io) const {
    av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

struct OutputFree {
  void operator()(AVFormatContext* ctx) const { avformat_free_context(ctx); }
};

void check(int rc, std::string_view what) {
  if (rc < 0) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(rc, text, sizeof text);
    throw std::runtime_error("make movie: " + std::string(what) + ": " + text);
  }
}

void set_rotation(AVStream* stream, int clockwise_degrees) {
  constexpr std::size_t k_matrix_size = 9 * sizeof(std::int32_t);
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
  AVCodecParameters* par = stream->codecpar;
  auto* grown = static_cast<AVPacketSideData*>(av_realloc_array(
      par->coded_side_data, static_cast<std::size_t>(par->nb_coded_side_data) + 1, sizeof(AVPacketSideData)));
  if (!grown) {
    throw std::runtime_error("make movie: out of memory");
  }
  par->coded_side_data = grown;
  auto* data = static_cast<std::uint8_t*>(av_mallocz(k_matrix_size));
  if (!data) {
    throw std::runtime_error("make movie: out of memory");
  }
  AVPacketSideData& side = grown[par->nb_coded_side_data++];
  side.data = data;
  side.size = k_matrix_size;
  side.type = AV_PKT_DATA_DISPLAYMATRIX;
#else
  std::uint8_t* data = av_stream_new_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, k_matrix_size);
  if (!data) {
    throw std::runtime_error("make movie: out of memory");
  }
#endif
  std::int32_t matrix[9];
  av_display_rotation_set(matrix, static_cast<double>(clockwise_degrees));
  std::memcpy(data, matrix, k_matrix_size);
}

void set_tag(AVDictionary** dict, const char* key, const std::string& value) {
  if (!value.empty()) {
    check(av_dict_set(dict, key, value.c_str(), 0), "metadata");
  }
}

std::string make_movie(const MovieSpec& spec, const char* muxer) {
  if (spec.width <= 0 || spec.height <= 0 || spec.width > 65535 || spec.height > 65535 ||
      !(spec.seconds > 0)) {
    throw std::invalid_argument("make movie: bad size or duration");
  }
  const AVOutputFormat* format = av_guess_format(muxer, nullptr, nullptr);
  if (!format) {
    throw std::runtime_error(std::string("make movie: no muxer ") + muxer);
  }
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, format, nullptr, nullptr), "output context");
  std::unique_ptr<AVFormatContext, OutputFree> ctx(raw);

  MemorySink sink;
  auto* buffer = static_cast<unsigned char*>(av_malloc(k_io_buffer_size));
  if (!buffer) {
    throw std::runtime_error("make movie: out of memory");
  }
  std::unique_ptr<AVIOContext, IoContextFree> io(
      avio_alloc_context(buffer, k_io_buffer_size, 1, &sink, nullptr, write_packet, seek_sink));
  if (!io) {
    av_free(buffer);
    throw std::runtime_error("make movie: out of memory");
  }
  ctx->pb = io.get();
  ctx->flags |= AVFMT_FLAG_CUSTOM_IO | AVFMT_FLAG_BITEXACT;

  AVStream* stream = avformat_new_stream(ctx.get(), nullptr);
  if (!stream) {
    throw std::runtime_error("make movie: out of memory");
  }
  stream->time_base = AVRational{1, 1000};
  AVCodecParameters* par = stream->codecpar;
  par->codec_type = AVMEDIA_TYPE_VIDEO;
  par->codec_id = AV_CODEC_ID_MJPEG;
  par->width = spec.width;
  par->height = spec.height;
  if (spec.rotation % 360 != 0) {
    set_rotation(stream, spec.rotation);
  }

  set_tag(&ctx->metadata, "com.apple.quicktime.creationdate", spec.creation_date);
  set_tag(&ctx->metadata, "com.apple.quicktime.make", spec.make);
  set_tag(&ctx->metadata, "com.apple.quicktime.model", spec.model);
  set_tag(&ctx->metadata, "com.apple.quicktime.software", spec.software);
  set_tag(&ctx->metadata, "com.apple.quicktime.content.identifier", spec.content_id);
  set_tag(&ctx->metadata, "creation_time", spec.creation_time_utc);

  AVDictionary* options = nullptr;
  check(av_dict_set(&options, "movflags", "use_metadata_tags", 0), "options");
  const int header = avformat_write_header(ctx.get(), &options);
  av_dict_free(&options);
  check(header, "header");
  // The movie header took its creation time; keep it out of the mdta keys.
  av_dict_set(&ctx->metadata, "creation_time", nullptr, 0);

  std::string jpeg = grey_jpeg(spec.width, spec.height);
  const auto total_ms = static_cast<std::int64_t>(std::llround(spec.seconds * 1000.0));
  const std::int64_t frames =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(spec.seconds * k_frames_per_second)));
  for (std::int64_t i = 0; i < frames; ++i) {
    const std::int64_t start = total_ms * i / frames;
    const std::int64_t end = total_ms * (i + 1) / frames;
    AVPacket packet{};
    packet.data = reinterpret_cast<std::uint8_t*>(jpeg.data());
    packet.size = static_cast<int>(jpeg.size());
    packet.stream_index = stream->index;
    packet.flags = AV_PKT_FLAG_KEY;
    packet.pos = -1;
    packet.pts = av_rescale_q(start, AVRational{1, 1000}, stream->time_base);
    packet.dts = packet.pts;
    packet.duration = av_rescale_q(end, AVRational{1, 1000}, stream->time_base) - packet.pts;
    check(av_write_frame(ctx.get(), &packet), "frame");
  }
  check(av_write_trailer(ctx.get()), "trailer");
  avio_flush(io.get());
  return std::move(sink.bytes);
}

} // namespace

std::string make_mov(const MovieSpec& spec) { return make_movie(spec, "mov"); }

std::string make_mp4(const MovieSpec& spec) { return make_movie(spec, "mp4"); }

} // namespace ipd::test
