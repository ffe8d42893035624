#include "command.hpp"

#include "help.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace ipd::tools {

namespace {

// `name` and its alias.
bool names(const Option& option, std::string_view name) {
  return option.name == name || (!option.alias.empty() && option.alias == name);
}

std::string unknown_option_message(const std::string& name, std::span<const Option> options) {
  std::vector<std::string_view> known{help_option().name, help_option().alias};
  for (const auto& option : options) {
    known.push_back(option.name);
    if (!option.alias.empty()) {
      known.push_back(option.alias);
    }
  }
  std::string message = "unknown option " + name;
  if (const auto meant = nearest(name, known)) {
    return message + "; did you mean '" + std::string(*meant) + "'?";
  }
  for (const auto& command : commands()) {
    for (const auto& option : command.options) {
      if (names(option, name)) {
        return message + " for this command (it is an option of " + std::string(command.name) + ")";
      }
    }
  }
  return message;
}

// Throws UsageError when `option` has choices and `value` is not one of them.
void check_choice(const Option& option, const std::string& value) {
  if (option.choices.empty()) {
    return;
  }
  const std::vector<std::string> words = split_words(option.choices);
  if (std::find(words.begin(), words.end(), value) != words.end()) {
    return;
  }
  const std::vector<std::string_view> choices(words.begin(), words.end());
  std::string message = std::string(option.name) + " takes ";
  for (std::size_t i = 0; i < choices.size(); ++i) {
    message += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string(choices[i]);
  }
  message += ", not '" + value + "'";
  if (const auto meant = nearest(value, choices)) {
    message += "; did you mean '" + std::string(*meant) + "'?";
  }
  throw UsageError(message);
}

} // namespace

Args::Args(std::span<const Option> options, std::vector<std::string> args) : m_options(options) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      m_operands.insert(m_operands.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      m_operands.push_back(arg);
      continue;
    }
    const auto equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    if (names(help_option(), name)) {
      m_help = true;
      continue;
    }
    const auto option =
        std::find_if(options.begin(), options.end(), [&](const Option& o) { return names(o, name); });
    if (option == options.end()) {
      throw UsageError(unknown_option_message(name, options));
    }
    if (option->value.empty()) {
      if (equals != std::string::npos) {
        throw UsageError(name + " takes no value");
      }
      m_given[option->name] = "";
      continue;
    }
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError(name + " needs a value (" + std::string(option->value) + ")");
    }
    check_choice(*option, value);
    if (const auto [given, inserted] = m_given.emplace(option->name, value); !inserted) {
      throw UsageError(std::string(option->name) + " given twice ('" + given->second + "', then '" + value +
                       "'): give it once");
    }
  }
}

const Option& Args::declared(std::string_view name) const {
  for (const auto& option : m_options) {
    if (names(option, name)) {
      return option;
    }
  }
  throw std::logic_error("option " + std::string(name) + " is not in the command's table");
}

bool Args::flag(std::string_view name) {
  const Option& option = declared(name);
  if (!option.value.empty()) {
    throw std::logic_error("option " + std::string(name) + " takes a value: read it with value()");
  }
  m_read.insert(option.name);
  return m_given.count(option.name) > 0;
}

std::optional<std::string> Args::value(std::string_view name) {
  const Option& option = declared(name);
  if (option.value.empty()) {
    throw std::logic_error("option " + std::string(name) + " is a flag: read it with flag()");
  }
  m_read.insert(option.name);
  const auto given = m_given.find(option.name);
  return given == m_given.end() ? std::nullopt : std::optional<std::string>(given->second);
}

std::vector<std::string> Args::finish() {
  for (const auto& [name, value] : m_given) {
    if (m_read.count(name) == 0) {
      throw std::logic_error("option " + std::string(name) +
                             " is in the table but the command never reads it");
    }
  }
  return m_operands;
}

std::filesystem::path catalog_dir(Args& args) {
  return args.value("--catalog").value_or(std::string(k_default_catalog));
}

unsigned parse_unsigned(std::string_view option, const std::string& text) {
  std::size_t used = 0;
  unsigned long value = 0;
  try {
    value = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value > 4096) {
    throw UsageError(std::string(option) + " takes a whole number, not '" + text + "'");
  }
  return static_cast<unsigned>(value);
}

double parse_number(std::string_view option, const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || !(value > 0) || value > 100) {
    throw UsageError(std::string(option) + " takes a number above 0, not '" + text + "'");
  }
  return value;
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string unknown_command_message(const std::string& name) {
  std::vector<std::string_view> known;
  for (const auto& command : commands()) {
    known.push_back(command.name);
  }
  std::string message = "unknown command '" + name + "'";
  if (const auto meant = nearest(name, known)) {
    message += "; did you mean '" + std::string(*meant) + "'?";
  }
  return message;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(general_help().c_str(), stderr);
    return k_exit_fatal;
  }
  if (names(help_option(), args[0])) {
    std::fputs(general_help().c_str(), stdout);
    return k_exit_ok;
  }
  const std::string name = args[0] == "--version" ? "version" : args[0];
  const Command* command = find_command(name);
  if (!command) {
    const std::string what = name[0] == '-'
                                 ? "unknown option " + name + " before the command: options go after it (" +
                                       std::string(k_tool_name) + " COMMAND [OPTIONS])"
                                 : unknown_command_message(name);
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for the list of commands.\n", k_tool_name.data(),
                 what.c_str(), k_tool_name.data());
    return k_exit_fatal;
  }
  args.erase(args.begin());
  try {
    Args parsed(command->options, std::move(args));
    if (parsed.help()) {
      std::fputs(command_help(*command).c_str(), stdout);
      return k_exit_ok;
    }
    return command->function(std::move(parsed));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s %s: %s\n%s", k_tool_name.data(), command->name.data(), e.what(),
                 usage_text(*command).c_str());
  } catch (const Fatal& e) {
    std::fprintf(stderr, "%s %s: %s\n", k_tool_name.data(), command->name.data(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s %s: unexpected error: %s\n", k_tool_name.data(), command->name.data(), e.what());
  }
  return k_exit_fatal;
}

} // namespace ipd::tools
