// Progress as users of rsync, pv and cargo know it: on a terminal, one line redrawn in place
// with a bar, counts, bytes, the rate and the time left; otherwise one plain line per pass when
// it ends. Nothing but printable text reaches a pipe.
#pragma once

#include "index/core/progress.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace ipd::tools {

class ProgressLine final : public Progress {
public:
  // Draws on `out` (stderr), as a bar when `terminal`, else as a line per pass.
  ProgressLine(std::FILE* out, bool terminal) : m_out(out), m_terminal(terminal) {}
  ~ProgressLine() override;

  void begin(std::string_view what, std::uint64_t items, std::uint64_t bytes) override;
  void advance(std::uint64_t items, std::uint64_t bytes) override;
  void end() override;

  // For a library that reports (done, total) now and then: a pass `what` that begins at the
  // first call and ends when done reaches total (or when this line is destroyed).
  std::function<void(std::uint64_t done, std::uint64_t total)> callback(std::string what);

private:
  using Clock = std::chrono::steady_clock;
  void draw(bool final);

  std::FILE* m_out;
  bool m_terminal;
  std::mutex m_mutex; // protects the pass's text and totals, and drawing
  std::string m_what;
  std::uint64_t m_items = 0;
  std::uint64_t m_bytes = 0;
  std::atomic<std::uint64_t> m_done{0};
  std::atomic<std::uint64_t> m_done_bytes{0};
  Clock::time_point m_start;
  std::atomic<std::int64_t> m_last_draw_ms{0};
  bool m_active = false;
};

// A ProgressLine on stderr, drawing a bar when stderr is a terminal.
std::unique_ptr<ProgressLine> stderr_progress();

} // namespace ipd::tools
