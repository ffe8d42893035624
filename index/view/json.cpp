#include "index/view/json.hpp"

#include "index/core/text.hpp"

#include <cstdio>

namespace ipd {

namespace {

void field(std::string& out, std::string_view name, std::string_view value) {
  out += out.size() > 1 ? ", " : "";
  out += json_string(name);
  out += ": ";
  out += json_string(value);
}

void field(std::string& out, std::string_view name, std::uint64_t value) {
  out += out.size() > 1 ? ", " : "";
  out += json_string(name);
  out += ": ";
  out += std::to_string(value);
}

} // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const char c = text[i];
    if (n == 1) {
      switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
      }
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  out += '"';
  return out;
}

std::string record_json(const FileRecord& r, const Placement* p) {
  std::string out = "{";
  field(out, "source", r.path);
  if (!valid_utf8(r.path)) {
    field(out, "source_escaped", display_path(r.path));
  }
  if (p) {
    field(out, "role", role_name(p->role));
    field(out, "view", p->view);
    field(out, "keeper", p->keeper);
    field(out, "reason", p->reason);
    field(out, "group", p->group);
  }
  field(out, "kind", kind_name(r.kind));
  field(out, "format", format_name(r.format));
  field(out, "ext", true_extension(r.format));
  field(out, "mime", r.mime);
  field(out, "size", r.size);
  field(out, "capture", format_iso8601(r.capture));
  field(out, "device", device_name(r.make, r.model));
  field(out, "make", r.make);
  field(out, "model", r.model);
  field(out, "software", r.software);
  field(out, "content_id", r.content_id);
  field(out, "burst_id", r.burst_id);
  field(out, "width", r.width);
  field(out, "height", r.height);
  field(out, "orientation", r.orientation);
  field(out, "duration_ms", r.duration_ms);
  if (r.kind == Kind::symlink) {
    field(out, "link_target", r.link_target);
  }
  field(out, "error", r.error);
  out += "}";
  return out;
}

} // namespace ipd
