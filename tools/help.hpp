// The help text, made from the command table (table.hpp): usage lines, a command's `--help`,
// the general help, and the nearest known name for "did you mean". Every line fits
// k_help_width columns (a word longer than a line stands alone on it).
#pragma once

#include "table.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipd::tools {

inline constexpr std::size_t k_help_width = 80;

// `words` joined by spaces into lines of at most `width` columns: the first line starts at
// column `start` (the caller prints what comes before it), the others after `indent` spaces.
// No final newline.
std::string wrap_words(const std::vector<std::string>& words, std::size_t start, std::size_t indent,
                       std::size_t width = k_help_width);
// The same for running text, broken at its spaces.
std::string wrap_text(std::string_view text, std::size_t start, std::size_t indent,
                      std::size_t width = k_help_width);

// The words of `text`, split at spaces (an option's choices, a command's operands).
std::vector<std::string> split_words(std::string_view text);

// "--catalog DIR", "-f, --foreground", "-o OPTS".
std::string option_label(const Option& option);
// The option's sentence, with its choices when it has some: "list only ... (ROLE: keeper, ...)".
std::string option_text(const Option& option);
// The words of a command's synopsis: "iphone-photo-dedup", "index", "ROOT...", "[--catalog DIR]", ...
std::vector<std::string> synopsis_words(const Command& command);

// "usage: iphone-photo-dedup index ROOT... [--catalog DIR] ...", wrapped, with a final newline.
std::string usage_text(const Command& command);
// What `COMMAND --help` prints: usage, description, every option with its sentence, exit status.
std::string command_help(const Command& command);
// What `--help` prints: the commands, one line each.
std::string general_help();

// The candidate the user most likely meant by `word` (a typo within a small edit distance, or
// the one candidate `word` begins), or nothing.
std::optional<std::string_view> nearest(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

} // namespace ipd::tools
