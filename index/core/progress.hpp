// How far a long pass has got. The core reports; the command decides how to show it (a bar on a
// terminal, one line per pass otherwise: tools/progress.hpp).
#pragma once

#include <cstdint>
#include <string_view>

namespace ipd {

class Progress {
public:
  virtual ~Progress() = default;
  // A pass begins: what it does ("reading files"), how many items and bytes it has (0: not known).
  virtual void begin(std::string_view what, std::uint64_t items, std::uint64_t bytes) = 0;
  // `items` more items, holding `bytes` more bytes, are done. Any thread may call it, at any time.
  virtual void advance(std::uint64_t items, std::uint64_t bytes = 0) = 0;
  // The pass is over.
  virtual void end() = 0;
};

// A pass reported to `progress` (which may be null) for its scope.
class ProgressPass {
public:
  ProgressPass(Progress* progress, std::string_view what, std::uint64_t items, std::uint64_t bytes = 0)
      : m_progress(progress) {
    if (m_progress) {
      m_progress->begin(what, items, bytes);
    }
  }
  ~ProgressPass() {
    if (m_progress) {
      m_progress->end();
    }
  }
  ProgressPass(const ProgressPass&) = delete;
  ProgressPass& operator=(const ProgressPass&) = delete;
  void advance(std::uint64_t items, std::uint64_t bytes = 0) const {
    if (m_progress) {
      m_progress->advance(items, bytes);
    }
  }

private:
  Progress* m_progress;
};

} // namespace ipd
