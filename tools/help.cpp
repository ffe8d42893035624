#include "help.hpp"

#include "command.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ipd::tools {

namespace {

// Where an option's sentence starts in `--help`: after "  " and a label of up to 18 columns.
constexpr std::size_t k_option_column = 22;
constexpr std::size_t k_command_column = 15;

// Levenshtein distance: insertions, deletions and replacements.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "  LABEL               sentence", the sentence wrapped under itself.
std::string option_line(const Option& option) {
  std::string line = "  " + option_label(option);
  if (line.size() + 2 <= k_option_column) {
    line.append(k_option_column - line.size(), ' ');
  } else {
    line += "\n" + std::string(k_option_column, ' ');
  }
  return line + wrap_text(option_text(option), k_option_column, k_option_column) + "\n";
}

std::string exit_status_lines() {
  std::string out = "exit status:\n";
  for (const auto& exit : exit_statuses()) {
    out += "  " + std::to_string(exit.status) + "  " + wrap_text(exit.meaning, 5, 5) + "\n";
  }
  return out;
}

} // namespace

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (std::size_t start = 0; start < text.size();) {
    const auto end = std::min(text.find(' ', start), text.size());
    if (end > start) {
      words.emplace_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return words;
}

std::string wrap_words(const std::vector<std::string>& words, std::size_t start, std::size_t indent,
                       std::size_t width) {
  std::string out;
  std::size_t column = start;
  bool line_empty = true;
  for (const auto& word : words) {
    if (!line_empty && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
  }
  return out;
}

std::string wrap_text(std::string_view text, std::size_t start, std::size_t indent, std::size_t width) {
  return wrap_words(split_words(text), start, indent, width);
}

std::string option_label(const Option& option) {
  std::string label = option.alias.empty() ? "" : std::string(option.alias) + ", ";
  label += option.name;
  if (!option.value.empty()) {
    label += " " + std::string(option.value);
  }
  return label;
}

std::string option_text(const Option& option) {
  std::string text(option.help);
  if (!option.choices.empty()) {
    std::string choices;
    for (const auto& choice : split_words(option.choices)) {
      choices += (choices.empty() ? "" : ", ") + choice;
    }
    text += " (" + std::string(option.value) + ": " + choices + ")";
  }
  return text;
}

std::vector<std::string> synopsis_words(const Command& command) {
  std::vector<std::string> words{std::string(k_tool_name), std::string(command.name)};
  for (auto& operand : split_words(command.operands)) {
    words.push_back(std::move(operand));
  }
  for (const auto& option : command.options) {
    words.push_back("[" + std::string(option.name) +
                    (option.value.empty() ? "" : " " + std::string(option.value)) + "]");
  }
  return words;
}

std::string usage_text(const Command& command) {
  const std::string prefix = "usage: ";
  const std::size_t indent = prefix.size() + k_tool_name.size() + 1 + command.name.size() + 1;
  return prefix + wrap_words(synopsis_words(command), prefix.size(), indent) + "\n";
}

std::string command_help(const Command& command) {
  std::string out = usage_text(command) + "\n" + wrap_text(command.description, 0, 0) + "\n\noptions:\n";
  for (const auto& option : command.options) {
    out += option_line(option);
  }
  out += option_line(help_option());
  return out + "\n" + exit_status_lines();
}

std::string general_help() {
  const std::string tool(k_tool_name);
  std::string out =
      "usage: " + tool + " COMMAND [OPTIONS] [ARGS]\n       " + tool + " --help | --version\n\n";
  std::string summary(k_tool_summary);
  summary[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(summary[0])));
  out += wrap_text(summary + ".", 0, 0) + "\n\ncommands:\n";
  for (const auto& command : commands()) {
    std::string line = "  " + std::string(command.name);
    line.append(k_command_column - std::min(line.size(), k_command_column - 1), ' ');
    out += line + wrap_text(command.summary, line.size(), k_command_column) + "\n";
  }
  out += "\n" +
         wrap_text("Run '" + tool + " help COMMAND' or '" + tool +
                       " COMMAND --help' for the options of a command.",
                   0, 0) +
         "\n\n" + exit_status_lines();
  return out;
}

std::optional<std::string_view> nearest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (const auto candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    const std::size_t longer = std::max(word.size(), candidate.size());
    // Few enough edits that the word still looks like the candidate: at most 2 (3 in a long
    // name), and fewer than half its letters ("-x" is not a typo of "-o").
    const bool close = (distance <= 2 || (distance == 3 && longer >= 9)) && 2 * distance < longer;
    if (close && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best) {
    return best;
  }
  const std::size_t letters = word.size() - std::min(word.find_first_not_of('-'), word.size());
  std::optional<std::string_view> begun;
  for (const auto candidate : candidates) {
    if (letters >= 2 && candidate.size() > word.size() && candidate.substr(0, word.size()) == word) {
      if (begun) {
        return std::nullopt; // "--f" begins two options: no guess
      }
      begun = candidate;
    }
  }
  return begun;
}

int cmd_help(Args args) {
  const auto operands = args.finish();
  if (operands.size() > 1) {
    throw UsageError("name one command");
  }
  if (operands.empty()) {
    std::fputs(general_help().c_str(), stdout);
    return k_exit_ok;
  }
  const Command* command = find_command(operands[0]);
  if (!command) {
    throw UsageError(unknown_command_message(operands[0]));
  }
  std::fputs(command_help(*command).c_str(), stdout);
  return k_exit_ok;
}

} // namespace ipd::tools
