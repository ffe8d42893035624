// The argument parser the commands share, their entry points, and the command runner.
#pragma once

#include "table.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ipd::tools {

// Exit statuses (docs/DESIGN.md §8).
constexpr int k_exit_ok = 0;
constexpr int k_exit_file_errors = 1;
constexpr int k_exit_fatal = 2;

// A usage error: printed with the command's usage, exit status 2.
class UsageError : public std::runtime_error {
public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

// The options and operands of one command line, parsed against the command's table of options
// (table.hpp). Commands read the options they declared by name, then the operands.
class Args {
public:
  // Parses `args`: `--name VALUE`, `--name=VALUE`, flags, `-h`/`--help`, and operands; "--" ends
  // the options. Throws UsageError for an option not in `options` (naming the nearest one), a
  // value given to a flag or missing after an option, a value not among the option's choices,
  // or an option that takes a value given twice.
  Args(std::span<const Option> options, std::vector<std::string> args);

  // True when `-h` or `--help` was given.
  bool help() const { return m_help; }
  // True when the flag `name` (or its alias) was given. `name` must be in the table.
  bool flag(std::string_view name);
  // The value of option `name`, if given. `name` must be in the table.
  std::optional<std::string> value(std::string_view name);
  // The operands, once the options were read. Every option given must have been read.
  std::vector<std::string> finish();

private:
  const Option& declared(std::string_view name) const;

  std::span<const Option> m_options;
  std::map<std::string_view, std::string> m_given; // option name -> value ("" for a flag)
  std::set<std::string_view> m_read;
  std::vector<std::string> m_operands;
  bool m_help = false;
};

// The catalog directory from --catalog, else ./iphone-photo-dedup.catalog.
std::filesystem::path catalog_dir(Args& args);
// A whole number from an option value, else UsageError.
unsigned parse_unsigned(std::string_view option, const std::string& text);
// A positive number from an option value, else UsageError.
double parse_number(std::string_view option, const std::string& text);

// True when stderr is a terminal (progress bars go there only then).
bool stderr_is_terminal();

int cmd_index(Args args);
int cmd_status(Args args);
int cmd_list(Args args);
int cmd_explain(Args args);
int cmd_mount(Args args);
int cmd_unmount(Args args);
int cmd_materialize(Args args);
int cmd_keep(Args args);
int cmd_apart(Args args);
int cmd_together(Args args);
int cmd_forget(Args args);
int cmd_decisions(Args args);
int cmd_verify(Args args);
int cmd_review(Args args);
int cmd_help(Args args);    // help.cpp
int cmd_version(Args args); // version.cpp

// "unknown command 'NAME'", with the command NAME most likely meant.
std::string unknown_command_message(const std::string& name);

// Runs the command line; returns the exit status.
int run(int argc, char** argv);

} // namespace ipd::tools
