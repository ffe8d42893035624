// The HTML of the review page: text made safe, the frame of every page, and the card of one
// file. Pages hold no script and load nothing from the network: their Content-Security-Policy
// allows only their own images and inline style.
#pragma once

#include "index/review/model.hpp"
#include "index/review/thumbnails.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ipd::review {

// `text` with & < > " ' escaped, for text that is known to be printable UTF-8 (a command line).
std::string html_escape(std::string_view text);

// `text` for an HTML text node or attribute: control characters and invalid UTF-8 as \xNN (as on
// the terminal), and & < > " ' escaped.
std::string html_text(std::string_view text);

// A whole page: `title`, then `body`. `root` leads from the page to DIR ("" or "../").
std::string html_page(std::string_view title, std::string_view root, std::string_view body);

// What every card of a run shares.
struct CardContext {
  const Model& model;
  const PreviewReport& previews;
  std::string catalog_words; // " --catalog DIR" (shell-quoted) when the catalog was named, else ""
  std::string root;          // from the page to DIR
};

// The command a user runs to change an item: "iphone-photo-dedup VERB 'PATH'..." with each path
// one shell word, and the catalog named when it was named to review.
std::string command_line(const CardContext& ctx, std::string_view verb,
                         const std::vector<std::string>& paths);

// One command, as the page shows it (select it all with one click).
std::string command_html(const std::string& command);

// The card of one file: its preview, role, format, pixels, size, software, mtime, capture time,
// device, path and view path, then `rows` (<dt>/<dd> pairs of the caller's) and the commands.
std::string file_card(const CardContext& ctx, std::size_t file, std::string_view rows,
                      const std::vector<std::string>& commands);

// A <dt>/<dd> pair; nothing when `value` is empty.
std::string row(std::string_view name, std::string_view value);

// "2.1 MB", "980 kB", "512 B".
std::string size_words(std::uint64_t bytes);

} // namespace ipd::review
