#include "progress.hpp"

#include "command.hpp"

#include <cstdio>

namespace ipd::tools {

ProgressBar::ProgressBar(std::string verb) : m_verb(std::move(verb)), m_terminal(stderr_is_terminal()) {}

ProgressBar::~ProgressBar() {
  if (m_terminal) {
    std::fprintf(stderr, "\r\033[K");
  }
}

std::function<void(std::uint64_t, std::uint64_t)> ProgressBar::callback() const {
  if (!m_terminal) {
    return {};
  }
  return [verb = m_verb](std::uint64_t done, std::uint64_t total) {
    const int width = 30;
    const int filled = total ? static_cast<int>(width * done / total) : width;
    std::fprintf(stderr, "\r%s [%.*s%*s] %llu/%llu files", verb.c_str(), filled,
                 "##############################", width - filled, "", static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total));
    std::fflush(stderr);
  };
}

} // namespace ipd::tools
