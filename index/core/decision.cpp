#include "index/core/decision.hpp"

#include <cstdio>
#include <ctime>

namespace ipd {

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
  case Verdict::keep: return "keep";
  case Verdict::apart: return "apart";
  case Verdict::together: return "together";
  }
  return "keep";
}

std::optional<Verdict> parse_verdict(std::string_view name) {
  for (Verdict verdict : {Verdict::keep, Verdict::apart, Verdict::together}) {
    if (verdict_name(verdict) == name) {
      return verdict;
    }
  }
  return std::nullopt;
}

std::string decision_date(std::int64_t made_ns) {
  const std::time_t seconds = static_cast<std::time_t>(made_ns / 1'000'000'000);
  std::tm local{};
  if (!::localtime_r(&seconds, &local)) {
    return "?";
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
  return buf;
}

std::string decision_words(const Decision& decision) {
  return "your decision (" + std::string(verdict_name(decision.verdict)) + ", " +
         decision_date(decision.made_ns) + ")";
}

} // namespace ipd
