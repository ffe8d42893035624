// The user's decisions (docs/DESIGN.md §6): `keep`, `apart` and `together`, each on one file's
// content. The catalog keeps them (its decisions table), the plan applies them before every
// rule, and the commands list them. No planning here.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipd {

// What the user said of a file.
enum class Verdict : std::uint8_t {
  keep = 0,     // this file is the keeper of its capture
  apart = 1,    // this file is no copy of anything else: its own capture (with its byte copies)
  together = 2, // these files are one capture (a set: the files of one `together`)
};

std::string_view verdict_name(Verdict verdict); // "keep", "apart", "together"
std::optional<Verdict> parse_verdict(std::string_view name);

// A file's content as decisions name it, so that a decision follows the file when it is moved,
// renamed or indexed afresh: its size and the hash of all its bytes (content_hash(),
// core/hash.hpp). The size comes first, so finding the files a decision names needs hashing
// only the files of a decided size.
struct ContentKey {
  std::uint64_t size = 0;
  std::uint64_t hash = 0; // never 0 for a real content
  auto operator<=>(const ContentKey&) const = default;
};

struct Decision {
  ContentKey content;
  Verdict verdict = Verdict::keep;
  std::int64_t made_ns = 0; // when the user made it (wall clock, ns since the epoch): the latest wins
  std::uint64_t set = 0;    // together: the number the files of one capture share; 0 otherwise
  std::string path;         // the input path it was made on: shown, and first among byte copies
  bool operator==(const Decision&) const = default;
};

// The local date of a decision ("2026-12-01").
std::string decision_date(std::int64_t made_ns);

// How a reason names a decision: "your decision (keep, 2026-12-01)".
std::string decision_words(const Decision& decision);

} // namespace ipd
