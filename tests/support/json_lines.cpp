#include "json_lines.hpp"

#include <sstream>

namespace ipd::test {

namespace {

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace

bool parse_flat_json(const std::string& line, JsonObject& out) {
  std::size_t i = 0;
  auto skip = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
      ++i;
    }
  };
  auto string = [&](std::string& s) {
    if (i >= line.size() || line[i] != '"') {
      return false;
    }
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\') {
        s += line[i];
        continue;
      }
      if (++i >= line.size()) {
        return false;
      }
      switch (line[i]) {
      case 'n': s += '\n'; break;
      case 't': s += '\t'; break;
      case 'r': s += '\r'; break;
      case 'u':
        if (i + 4 >= line.size()) {
          return false;
        }
        append_utf8(s, static_cast<unsigned>(std::stoul(line.substr(i + 1, 4), nullptr, 16)));
        i += 4;
        break;
      default: s += line[i];
      }
    }
    return i++ < line.size();
  };
  skip();
  if (i >= line.size() || line[i++] != '{') {
    return false;
  }
  for (;;) {
    skip();
    std::string key;
    std::string value;
    if (!string(key)) {
      return false;
    }
    skip();
    if (i >= line.size() || line[i++] != ':') {
      return false;
    }
    skip();
    if (i < line.size() && line[i] == '"') {
      if (!string(value)) {
        return false;
      }
    } else {
      while (i < line.size() && line[i] != ',' && line[i] != '}') {
        value += line[i++];
      }
    }
    out[key] = value;
    skip();
    if (i < line.size() && line[i] == ',') {
      ++i;
      continue;
    }
    return i < line.size() && line[i] == '}';
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

std::string json_field(const std::string& line, const std::string& key) {
  JsonObject object;
  if (!parse_flat_json(line, object)) {
    return {};
  }
  const auto it = object.find(key);
  return it == object.end() ? std::string() : it->second;
}

std::string first_control_character(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0 &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80;
    if ((c < 0x20 && c != '\n') || c == 0x7F || c1) {
      const std::size_t from = i < 40 ? 0 : i - 40;
      return "byte " + std::to_string(c) + " in: " + text.substr(from, 80);
    }
  }
  return {};
}

} // namespace ipd::test
