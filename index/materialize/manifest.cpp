#include "index/materialize/manifest.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/io.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/materialize.hpp"

#include <utility>

namespace ipd::materialize_detail {

namespace {

constexpr std::string_view k_manifest_magic = "ipd-materialized\n";
constexpr std::uint8_t k_manifest_version = 1;

} // namespace

std::string journal_name() { return std::string(k_manifest_name) + ".journal"; }
std::string manifest_temp_name() { return std::string(k_manifest_name) + ".tmp"; }

std::string manifest_header() {
  std::string out(k_manifest_magic);
  out.push_back(static_cast<char>(k_manifest_version));
  return out;
}

void put_entry(std::string& out, std::string_view path, const Made& m, std::string_view source) {
  put_bytes(out, path);
  out.push_back(static_cast<char>(m.kind));
  put_bytes(out, source);
  put_varint(out, m.dev);
  put_varint(out, m.ino);
  put_varint(out, m.size);
  put_signed(out, m.mtime_ns);
}

bool decode_manifest(std::string_view bytes, Manifest& manifest) {
  const std::string header = manifest_header();
  if (bytes.substr(0, header.size()) != header) {
    return false;
  }
  Reader in(bytes.substr(header.size()));
  while (!in.at_end()) {
    std::string path;
    Made m;
    std::uint8_t kind = 0;
    if (!(in.get_bytes(path) && in.get_u8(kind) && kind <= static_cast<std::uint8_t>(MadeKind::dir) &&
          in.get_bytes(m.source) && in.get_varint(m.dev) && in.get_varint(m.ino) && in.get_varint(m.size) &&
          in.get_signed(m.mtime_ns))) {
      break;
    }
    m.kind = static_cast<MadeKind>(kind);
    manifest[path] = std::move(m);
  }
  return true;
}

Made made_from(std::uint64_t dev, std::uint64_t ino, std::uint64_t size, const timespec& mtime,
               MadeKind kind) {
  Made m;
  m.kind = kind;
  m.dev = dev;
  m.ino = ino;
  m.size = size;
  m.mtime_ns = timespec_ns(mtime);
  return m;
}

Made made_from(const struct stat& st, MadeKind kind, std::string source) {
  Made m;
  m.kind = kind;
  m.source = std::move(source);
  m.dev = st.st_dev;
  m.ino = st.st_ino;
  m.size = static_cast<std::uint64_t>(st.st_size);
  m.mtime_ns = timespec_ns(st.st_mtim);
  return m;
}

bool matches(const Made& m, const struct stat& st, int dirfd, const char* name) {
  switch (m.kind) {
  case MadeKind::link: return S_ISREG(st.st_mode) && st.st_dev == m.dev && st.st_ino == m.ino;
  case MadeKind::clone:
  case MadeKind::copy:
  case MadeKind::generated:
    return S_ISREG(st.st_mode) && (m.ino == 0 || (st.st_dev == m.dev && st.st_ino == m.ino)) &&
           std::uint64_t(st.st_size) == m.size && (m.mtime_ns == 0 || timespec_ns(st.st_mtim) == m.mtime_ns);
  case MadeKind::symlink: return S_ISLNK(st.st_mode) && symlink_target(dirfd, name) == m.source;
  case MadeKind::dir: return S_ISDIR(st.st_mode);
  }
  return false;
}

bool survives(const Made& m, const struct stat& st) {
  struct stat source {};
  switch (m.kind) {
  case MadeKind::link: return st.st_nlink > 1 || ::lstat(m.source.c_str(), &source) == 0;
  case MadeKind::clone:
  case MadeKind::copy: return ::lstat(m.source.c_str(), &source) == 0;
  case MadeKind::symlink:
  case MadeKind::generated:
  case MadeKind::dir: return true;
  }
  return false;
}

} // namespace ipd::materialize_detail
