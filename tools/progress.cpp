#include "progress.hpp"

#include "command.hpp"

#include <algorithm>

namespace ipd::tools {

namespace {

constexpr int k_bar_width = 24;
constexpr std::int64_t k_redraw_ms = 100;

std::string bytes_text(double bytes) {
  char buf[32];
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string duration_text(double seconds) {
  char buf[32];
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

} // namespace

ProgressLine::~ProgressLine() {
  std::lock_guard lock(m_mutex);
  if (m_active && m_terminal) {
    std::fputs("\r\033[K", m_out);
    std::fflush(m_out);
  }
}

void ProgressLine::begin(std::string_view what, std::uint64_t items, std::uint64_t bytes) {
  std::lock_guard lock(m_mutex);
  m_what = std::string(what);
  m_items = items;
  m_bytes = bytes;
  m_done = 0;
  m_done_bytes = 0;
  m_start = Clock::now();
  m_last_draw_ms = -k_redraw_ms;
  m_active = true;
}

void ProgressLine::advance(std::uint64_t items, std::uint64_t bytes) {
  m_done += items;
  m_done_bytes += bytes;
  if (!m_terminal) {
    return;
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_start).count();
  auto last = m_last_draw_ms.load();
  if (ms - last < k_redraw_ms || !m_last_draw_ms.compare_exchange_strong(last, ms)) {
    return; // drawn a moment ago, or being drawn by another thread
  }
  std::unique_lock lock(m_mutex, std::try_to_lock);
  if (lock.owns_lock()) {
    draw(false);
  }
}

void ProgressLine::end() {
  std::lock_guard lock(m_mutex);
  if (!m_active) {
    return;
  }
  draw(true);
  m_active = false;
}

void ProgressLine::draw(bool final) {
  const double seconds = std::chrono::duration<double>(Clock::now() - m_start).count();
  const std::uint64_t done = std::min(m_done.load(), m_items ? m_items : m_done.load());
  const std::uint64_t done_bytes = m_done_bytes.load();
  std::string text = m_what + " " + std::to_string(done) + (m_items ? "/" + std::to_string(m_items) : "");
  if (m_bytes || done_bytes) {
    text += ", " + bytes_text(static_cast<double>(done_bytes)) +
            (m_bytes ? " of " + bytes_text(static_cast<double>(m_bytes)) : "");
  }
  if (seconds > 0.05) {
    char rate[48];
    if (m_bytes) {
      std::snprintf(rate, sizeof rate, ", %s/s",
                    bytes_text(static_cast<double>(done_bytes) / seconds).c_str());
    } else {
      std::snprintf(rate, sizeof rate, ", %.0f/s", static_cast<double>(done) / seconds);
    }
    text += rate;
  }
  if (final) {
    std::fprintf(m_out, "%s%s in %.1f s\n", m_terminal ? "\r\033[K" : "", text.c_str(), seconds);
    std::fflush(m_out);
    return;
  }
  if (!m_terminal) {
    return;
  }
  const double fraction = m_bytes
                              ? static_cast<double>(done_bytes) / static_cast<double>(m_bytes)
                              : (m_items ? static_cast<double>(done) / static_cast<double>(m_items) : 0.0);
  const int filled = std::clamp(static_cast<int>(fraction * k_bar_width), 0, k_bar_width);
  if (fraction > 0.01 && seconds > 1) {
    text += ", " + duration_text(seconds * (1 - fraction) / fraction) + " left";
  }
  std::fprintf(m_out, "\r\033[K[%.*s%*s] %s", filled, "########################", k_bar_width - filled, "",
               text.c_str());
  std::fflush(m_out);
}

std::function<void(std::uint64_t, std::uint64_t)> ProgressLine::callback(std::string what) {
  auto last = std::make_shared<std::uint64_t>(0);
  auto begun = std::make_shared<bool>(false);
  return [this, what = std::move(what), last, begun](std::uint64_t done, std::uint64_t total) {
    if (!*begun) {
      begin(what, total, 0);
      *begun = true;
    }
    advance(done - std::min(done, *last), 0);
    *last = done;
    if (done >= total) {
      end();
    }
  };
}

std::unique_ptr<ProgressLine> stderr_progress() {
  return std::make_unique<ProgressLine>(stderr, stderr_is_terminal());
}

} // namespace ipd::tools
