#include "tests/support/mutate.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace ipd::test {

namespace {

std::uint64_t be(std::string_view d, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    v = v << 8 | static_cast<unsigned char>(d[at + i]);
  }
  return v;
}

std::uint64_t le(std::string_view d, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;) {
    v = v << 8 | static_cast<unsigned char>(d[at + i]);
  }
  return v;
}

bool is_bmff(std::string_view d) { return d.size() >= 8 && d.substr(4, 4) == "ftyp"; }

std::vector<Header> png_chunks(std::string_view d) {
  std::vector<Header> out;
  for (std::size_t at = 8; at + 12 <= d.size();) {
    out.push_back({at, at, 4, at + 4, 4});
    const std::uint64_t length = be(d, at, 4);
    if (length > d.size() - at - 12) {
      break;
    }
    at += 12 + length;
  }
  return out;
}

std::vector<Header> jpeg_segments(std::string_view d) {
  std::vector<Header> out;
  for (std::size_t at = 2; at + 4 <= d.size() && static_cast<unsigned char>(d[at]) == 0xFF;) {
    const auto marker = static_cast<unsigned char>(d[at + 1]);
    out.push_back({at, at + 2, 2, at + 1, 1});
    if (marker == 0xDA || marker == 0xD9) {
      break;
    }
    at += 2 + be(d, at + 2, 2);
  }
  return out;
}

std::vector<Header> tiff_entries(std::string_view d) {
  std::vector<Header> out;
  if (d.size() < 8) {
    return out;
  }
  const bool little = d[0] == 'I';
  auto u = [&](std::size_t at, std::size_t n) { return little ? le(d, at, n) : be(d, at, n); };
  out.push_back({0, 4, 4, 0, 2}); // the header: byte order and the first IFD's offset
  const std::uint64_t ifd = u(4, 4);
  if (ifd + 2 > d.size()) {
    return out;
  }
  const std::uint64_t count = u(ifd, 2);
  for (std::uint64_t i = 0; i < count && ifd + 2 + 12 * (i + 1) <= d.size(); ++i) {
    const std::size_t entry = ifd + 2 + 12 * i;
    out.push_back({entry, entry + 4, 8, entry, 4}); // count and value/offset; tag and type
  }
  return out;
}

// Bytes that break parsers and terminals: control characters, escape sequences, high bytes.
std::string hostile_bytes(std::size_t n, std::mt19937& rng) {
  static constexpr char k_alphabet[] = "\n\r\x1b[\x07\x08\x7f\xc2\x9b\xb8\xff\x00\\%s\"'";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(rng() % 2 ? k_alphabet[rng() % (sizeof k_alphabet - 1)] : static_cast<char>(rng()));
  }
  return out;
}

// A size field's new value: zero, tiny, one off, huge or random.
std::uint64_t hostile_size(std::uint64_t old, std::mt19937& rng) {
  switch (rng() % 6) {
  case 0: return 0;
  case 1: return rng() % 8;
  case 2: return old + 1 + rng() % 16;
  case 3: return old > 16 ? old - 1 - rng() % 16 : 1;
  case 4: return ~std::uint64_t{0} - rng() % 4;
  default: return (std::uint64_t{rng()} << 32) | rng();
  }
}

void garble(std::string& file, const Header& h, std::mt19937& rng) {
  if (rng() % 2 && h.type_bytes > 0) {
    file.replace(h.type_at, h.type_bytes, hostile_bytes(h.type_bytes, rng));
    return;
  }
  const std::uint64_t value = hostile_size(be(file, h.size_at, h.size_bytes), rng);
  for (std::size_t i = 0; i < h.size_bytes; ++i) {
    file[h.size_at + i] = static_cast<char>(value >> (8 * (h.size_bytes - 1 - i)));
  }
}

} // namespace

std::vector<Header> bmff_boxes(std::string_view d) {
  std::vector<Header> out;
  for (std::size_t at = 0; at + 8 <= d.size();) {
    out.push_back({at, at, 4, at + 4, 4});
    std::uint64_t size = be(d, at, 4);
    if (size == 1 && at + 16 <= d.size()) {
      size = be(d, at + 8, 8);
    }
    if (size < 8 || size > d.size() - at) {
      break;
    }
    at += size;
  }
  return out;
}

std::vector<Header> headers_of(std::string_view d) {
  if (is_bmff(d)) {
    return bmff_boxes(d);
  }
  if (d.size() >= 8 && d.substr(1, 3) == "PNG") {
    return png_chunks(d);
  }
  if (d.size() >= 4 && static_cast<unsigned char>(d[0]) == 0xFF && static_cast<unsigned char>(d[1]) == 0xD8) {
    return jpeg_segments(d);
  }
  if (d.size() >= 8 && (d.substr(0, 2) == "II" || d.substr(0, 2) == "MM")) {
    return tiff_entries(d);
  }
  return {};
}

std::string with_box_type(std::string file, std::size_t index, std::string_view type) {
  const std::vector<Header> boxes = bmff_boxes(file);
  file.replace(boxes.at(index).type_at, 4, std::string(type).substr(0, 4));
  return file;
}

Mutant mutate(const std::string& file, std::mt19937& rng) {
  Mutant m{file, {}};
  const std::vector<Header> headers = headers_of(file);
  const unsigned kind = headers.empty() ? rng() % 2 : rng() % 4;
  if (kind == 0 && !file.empty()) {
    m.what = "flip";
    const std::size_t flips = 1 + rng() % 8;
    for (std::size_t i = 0; i < flips; ++i) {
      const std::size_t span = rng() % 2 ? std::min<std::size_t>(file.size(), 4096) : file.size();
      m.bytes[rng() % span] ^= static_cast<char>(1 + rng() % 255);
    }
  } else if (kind == 1 || file.empty()) {
    m.what = "cut";
    m.bytes.resize(file.empty() ? 0 : rng() % file.size());
  } else {
    m.what = kind == 2 ? "garble" : "cut-garble";
    garble(m.bytes, headers[rng() % headers.size()], rng);
    if (kind == 3) {
      m.bytes.resize(m.bytes.size() / 2 + rng() % (m.bytes.size() / 2 + 1));
    }
  }
  return m;
}

} // namespace ipd::test
