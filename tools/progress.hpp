// The progress bar the long commands draw on stderr when it is a terminal (docs/DESIGN.md §8).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ipd::tools {

// A bar "VERB [#####     ] done/total files" drawn over itself on stderr while it lives, and
// wiped when it goes; nothing at all when stderr is not a terminal.
class ProgressBar {
public:
  explicit ProgressBar(std::string verb);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // The callback for a library's progress option: empty when there is no terminal.
  std::function<void(std::uint64_t done, std::uint64_t total)> callback() const;

private:
  std::string m_verb;
  bool m_terminal;
};

} // namespace ipd::tools
