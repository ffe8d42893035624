#include "index/review/html.hpp"

#include "index/core/paths.hpp"
#include "index/core/text.hpp"

#include <cstdio>
#include <ctime>

namespace ipd::review {

namespace {

// Nothing from the network, no script: only the page's own images and its inline style.
constexpr std::string_view k_policy = "default-src 'none'; img-src 'self' file:; style-src 'unsafe-inline'";

constexpr std::string_view k_style = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1em 2em; color: #222; background: #fafafa; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
nav { margin-bottom: 1em; } nav a { margin-right: 1em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; vertical-align: top; }
tr:nth-child(even) { background: #f0f0f0; } td.n { text-align: right; }
.group { display: flex; flex-wrap: wrap; gap: 12px; padding: 10px; margin: 10px 0; background: #fff;
  border: 1px solid #ddd; border-radius: 6px; }
.group > p { flex-basis: 100%; margin: 0; }
.file { width: 280px; margin: 0; padding: 8px; border: 1px solid #ddd; border-radius: 4px; background: #fdfdfd; }
.file.keeper { border: 2px solid #2a7; } .file.duplicate { border-color: #c84; }
.file img, .file .tile { display: block; max-width: 240px; max-height: 240px; margin: 0 auto 6px; }
.tile { width: 240px; height: 120px; background: #e4e4e4; color: #555; display: flex; align-items: center;
  justify-content: center; text-align: center; font-size: 0.9em; padding: 4px; box-sizing: border-box; }
.role { font-weight: bold; text-transform: uppercase; font-size: 0.8em; }
.file.keeper .role { color: #2a7; } .file.duplicate .role { color: #c84; }
dl { margin: 4px 0; display: grid; grid-template-columns: auto 1fr; gap: 0 6px; font-size: 0.85em; }
dt { color: #777; } dd { margin: 0; overflow-wrap: anywhere; }
code.cmd { display: block; margin-top: 4px; padding: 3px 5px; background: #263238; color: #eee;
  font-size: 0.8em; overflow-wrap: anywhere; user-select: all; border-radius: 3px; }
.why { font-size: 0.85em; color: #555; }
)";

std::string mtime_words(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  if (!::localtime_r(&seconds, &tm)) {
    return {};
  }
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string pixels_words(const FileRecord& r) {
  if (r.width == 0 || r.height == 0) {
    return {};
  }
  return std::to_string(r.width) + "\u00d7" + std::to_string(r.height);
}

std::string duration_words(std::uint32_t ms) {
  if (ms == 0) {
    return {};
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u:%02u", ms / 60000, (ms / 1000) % 60);
  return buf;
}

// The preview, or a tile saying what the file is and why it has none.
std::string preview_html(const CardContext& ctx, std::size_t file) {
  const FileRecord& r = ctx.model.files[file].record;
  const Preview& p = ctx.previews.previews[file];
  if (!p.url.empty()) {
    return "<img src=\"" + html_text(ctx.root + p.url) + "\" alt=\"" + html_text(leaf_of(r.path)) + "\">";
  }
  std::string what = std::string(true_extension(r.format));
  if (what.empty()) {
    what = std::string(kind_name(r.kind));
  }
  if (const std::string d = duration_words(r.duration_ms); !d.empty()) {
    what += " " + d;
  }
  return "<div class=\"tile\">" + html_text(what) + (p.note.empty() ? "" : "<br>" + html_text(p.note)) +
         "</div>";
}

} // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::string html_text(std::string_view text) { return html_escape(display_path(text)); }

std::string html_page(std::string_view title, std::string_view root, std::string_view body) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + std::string(k_policy) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"iphone-photo-dedup review\">\n";
  out += "<title>" + html_text(title) + "</title>\n<style>" + std::string(k_style) +
         "</style>\n</head>\n<body>\n";
  if (!root.empty()) {
    out += "<nav><a href=\"" + std::string(root) + "index.html\">\u2190 all of the review</a></nav>\n";
  }
  out += "<h1>" + html_text(title) + "</h1>\n";
  out += body;
  out += "\n</body>\n</html>\n";
  return out;
}

std::string command_line(const CardContext& ctx, std::string_view verb,
                         const std::vector<std::string>& paths) {
  std::string out = "iphone-photo-dedup " + std::string(verb);
  for (const auto& path : paths) {
    out += " " + shell_word(path);
  }
  return out + ctx.catalog_words;
}

std::string command_html(const std::string& command) {
  return "<code class=\"cmd\">" + html_escape(command) + "</code>";
}

std::string row(std::string_view name, std::string_view value) {
  if (value.empty()) {
    return {};
  }
  return "<dt>" + html_text(name) + "</dt><dd>" + html_text(value) + "</dd>";
}

std::string size_words(std::uint64_t bytes) {
  char buf[32];
  if (bytes >= 1000000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  } else if (bytes >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f kB", static_cast<double>(bytes) / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

std::string file_card(const CardContext& ctx, std::size_t file, std::string_view rows,
                      const std::vector<std::string>& commands) {
  const File& f = ctx.model.files[file];
  const FileRecord& r = f.record;
  const std::string role = f.placement ? std::string(role_name(f.placement->role)) : "not placed";
  std::string out = "<figure class=\"file " + html_text(role) + "\" data-role=\"" + html_text(role) + "\">";
  out += preview_html(ctx, file);
  out += "<figcaption><span class=\"role\">" + html_text(role) + "</span><dl>";
  std::string format(true_extension(r.format));
  out += row("format", format.empty() ? std::string(kind_name(r.kind)) : format);
  out += row("pixels", pixels_words(r));
  out += row("size", size_words(r.size) + " (" + std::to_string(r.size) + " bytes)");
  out += row("software", r.software);
  out += row("modified", mtime_words(r.mtime_ns));
  out += row("captured", format_iso8601(r.capture));
  out += row("device", device_name(r.make, r.model));
  out += row("path", r.path);
  if (f.placement) {
    out += row("in the view", f.placement->view);
  }
  out += rows;
  out += row("error", r.error);
  out += "</dl>";
  for (const auto& command : commands) {
    out += command_html(command);
  }
  return out + "</figcaption></figure>\n";
}

} // namespace ipd::review
