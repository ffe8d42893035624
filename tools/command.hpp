// The command table and the small argument parser the subcommands share.
#pragma once

#include <filesystem>
#include <optional>
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

// Options and positionals of one subcommand. Options are declared by the caller as it reads
// them; finish() rejects anything left undeclared.
class Args {
public:
  explicit Args(std::vector<std::string> args) : m_args(std::move(args)) {}

  // True when the flag `--name` was given (removes it).
  bool flag(std::string_view name);
  // The value of `--name VALUE` or `--name=VALUE` (removes it); the last one wins.
  std::optional<std::string> value(std::string_view name);
  // Everything that is not an option, after all options were read. Throws UsageError for an
  // unknown option. "--" ends the options.
  std::vector<std::string> finish();

private:
  std::vector<std::string> m_args;
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

// Runs the command line; returns the exit status.
int run(int argc, char** argv);

} // namespace ipd::tools
