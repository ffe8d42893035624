// The command table: every command and option of the tool with its help text, in one place.
// `--help`, `help COMMAND`, the man page and the bash and zsh completions are all made from it
// (help.cpp, tools/gen_docs.cpp), and Args parses a command line against it (command.cpp).
#pragma once

#include <span>
#include <string_view>

namespace ipd::tools {

class Args;

// What a shell may complete for an option's value or a command's operands.
enum class Complete { nothing, directory, file, command };

struct Option {
  std::string_view name;    // "--catalog"
  std::string_view alias;   // a short form ("-f"), or empty
  std::string_view value;   // the value's placeholder ("DIR"); empty for a flag
  std::string_view help;    // one sentence, lower case, no final stop
  std::string_view choices; // the values it takes, space-separated ("hardlink reflink"), or empty
  Complete complete = Complete::nothing;
};

struct Command {
  std::string_view name;
  std::string_view operands; // "ROOT...", "MOUNTPOINT", or empty
  Complete operand_complete;
  std::string_view summary;     // one line of the general help, lower case, no final stop
  std::string_view description; // a paragraph for `COMMAND --help` and the man page
  std::span<const Option> options;
  int (*function)(Args);
};

// What the tool is, in a sentence (the general help and the man page's NAME).
inline constexpr std::string_view k_tool_name = "iphone-photo-dedup";
extern const std::string_view k_tool_summary;
// What it does, a paragraph (the man page's DESCRIPTION).
extern const std::string_view k_tool_description;
struct ExitStatus {
  int status;
  std::string_view meaning;
};
// The exit statuses of every command (docs/DESIGN.md §8).
std::span<const ExitStatus> exit_statuses();

// Every command in the order the general help lists them.
std::span<const Command> commands();
// The command called `name`, or nullptr.
const Command* find_command(std::string_view name);
// `-h, --help`, which every command takes besides its own options.
const Option& help_option();

} // namespace ipd::tools
