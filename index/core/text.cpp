#include "index/core/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace ipd {

std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) {
    return 1;
  }
  std::size_t n = 0;
  std::uint32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) {
    return 0;
  }
  std::uint32_t cp = c & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xC0) != 0x80) {
      return 0;
    }
    cp = cp << 6 | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string sanitize_name(std::string_view name, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    const std::size_t n = utf8_length(name, i);
    if (n == 0 || c < 0x20 || c == 0x7F || c == '/' || c == '\\') {
      out += '_';
      ++i;
      continue;
    }
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0) { // a C1 control
      out += '_';
      i += 2;
      continue;
    }
    if (out.size() + n > max_bytes) {
      break;
    }
    out.append(name.substr(i, n));
    i += n;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) {
    out.pop_back();
  }
  while (!out.empty() && out.front() == ' ') {
    out.erase(out.begin());
  }
  if (out.empty() || out == "." || out == "..") {
    out = "_" + out;
  }
  return out;
}

std::string shell_word(std::string_view text) {
  const bool safe =
      !text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_./+-:,@%=") == std::string_view::npos;
  if (safe) {
    return std::string(text);
  }
  // Where display_text would escape a byte (a control character, C1 included, or a byte that is
  // no UTF-8), $'…' spells it as \xNN instead, so the word shows as what it is.
  const auto is_control = [&](std::size_t i, std::size_t n) {
    const auto c = static_cast<unsigned char>(text[i]);
    return n == 0 || (n == 1 && (c < 0x20 || c == 0x7F)) ||
           (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0);
  };
  bool printable = true;
  for (std::size_t i = 0; i < text.size() && printable;) {
    const std::size_t n = utf8_length(text, i);
    printable = !is_control(i, n);
    i += std::max<std::size_t>(n, 1);
  }
  if (printable) {
    std::string quoted = "'";
    for (const char c : text) {
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
  }
  std::string quoted = "$'";
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_control(i, n)) {
      for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i + k]));
        quoted += buf;
      }
    } else if (c == '\'' || c == '\\') {
      quoted += '\\';
      quoted += static_cast<char>(c);
    } else {
      quoted.append(text.substr(i, n));
    }
    i += std::max<std::size_t>(n, 1);
  }
  return quoted + "'";
}

std::string display_text(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c0 = n == 1 && (c < 0x20 || c == 0x7F || c == '\\');
    // U+0080..U+009F (C2 80..C2 9F): C1 controls, which some terminals obey (9B is CSI).
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (n == 0 || c0 || c1) {
      for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(text[i + k]));
        out += buf;
      }
      i += std::max<std::size_t>(n, 1);
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string display_path(std::string_view path) { return display_text(path); }

} // namespace ipd
