#include "command.hpp"

#include "index/catalog/catalog.hpp"
#include "index/core/error.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace ipd::tools {

namespace {

struct Command {
  std::string_view name;
  std::string_view usage;
  std::string_view summary;
  int (*function)(Args);
};

constexpr Command k_commands[] = {
    {"index",
     "index ROOT... [--catalog DIR] [--jobs N] [--threshold X] [--full-compare] [--no-raw-sidecars] "
     "[--rebuild] [--wait]",
     "read every file under the roots into the catalog and plan the view", cmd_index},
    {"status", "status [--catalog DIR] [--json]", "counts by role, kind, format and device; unreadable files",
     cmd_status},
    {"list", "list [--catalog DIR] [--role R] [--json]", "every input file: role, view path, keeper, reason",
     cmd_list},
    {"explain", "explain PATH [--catalog DIR]", "why a file (an input or a view path) is where it is",
     cmd_explain},
    {"mount", "mount MOUNTPOINT [--catalog DIR] [-f] [-o OPTS]",
     "show the view as a live read-only filesystem", cmd_mount},
    {"unmount", "unmount MOUNTPOINT", "unmount a view mounted with `mount`", cmd_unmount},
    {"materialize", "materialize OUTDIR [--catalog DIR] [--mode hardlink|reflink|copy|symlink] [--dry-run]",
     "write the view as real hard links (or reflinks, copies, symlinks)", cmd_materialize},
};

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: iphone-photo-dedup COMMAND [ARGS]\n\ncommands:\n");
  for (const auto& command : k_commands) {
    std::fprintf(out, "  %-60s %s\n", std::string(command.usage).c_str(),
                 std::string(command.summary).c_str());
  }
  std::fprintf(out, "\nexit status: 0 all well; 1 done, but some files had errors; 2 usage or fatal error\n");
}

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

} // namespace

bool Args::flag(std::string_view name) {
  bool found = false;
  for (auto it = m_args.begin(); it != m_args.end();) {
    if (*it == "--") {
      break;
    }
    if (*it == name) {
      it = m_args.erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  return found;
}

std::optional<std::string> Args::value(std::string_view name) {
  std::optional<std::string> found;
  const std::string prefix = std::string(name) + "=";
  for (auto it = m_args.begin(); it != m_args.end();) {
    if (*it == "--") {
      break;
    }
    if (*it == name) {
      if (it + 1 == m_args.end()) {
        throw UsageError(std::string(name) + " needs a value");
      }
      found = *(it + 1);
      it = m_args.erase(it, it + 2);
    } else if (it->rfind(prefix, 0) == 0) {
      found = it->substr(prefix.size());
      it = m_args.erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

std::vector<std::string> Args::finish() {
  std::vector<std::string> positional;
  bool options_done = false;
  for (const auto& arg : m_args) {
    if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
      throw UsageError("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  return positional;
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

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    print_usage(args.empty() ? stderr : stdout);
    return args.empty() ? k_exit_fatal : k_exit_ok;
  }
  const std::string name = args[0];
  args.erase(args.begin());
  const Command* command = nullptr;
  for (const auto& candidate : k_commands) {
    if (candidate.name == name) {
      command = &candidate;
    }
  }
  if (!command) {
    std::fprintf(stderr, "iphone-photo-dedup: unknown command '%s'", name.c_str());
    for (const auto& candidate : k_commands) {
      if (edit_distance(name, candidate.name) <= 2) {
        std::fprintf(stderr, "; did you mean '%s'?", std::string(candidate.name).c_str());
        break;
      }
    }
    std::fprintf(stderr, "\n\n");
    print_usage(stderr);
    return k_exit_fatal;
  }
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    std::printf("usage: iphone-photo-dedup %s\n", std::string(command->usage).c_str());
    return k_exit_ok;
  }
  try {
    return command->function(Args(std::move(args)));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "iphone-photo-dedup %s: %s\nusage: iphone-photo-dedup %s\n", command->name.data(),
                 e.what(), std::string(command->usage).c_str());
  } catch (const Fatal& e) {
    std::fprintf(stderr, "iphone-photo-dedup %s: %s\n", command->name.data(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "iphone-photo-dedup %s: unexpected error: %s\n", command->name.data(), e.what());
  }
  return k_exit_fatal;
}

} // namespace ipd::tools
