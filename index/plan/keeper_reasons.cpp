// Pass 12: each keeper's reason, once every file of its capture has its place: how many files
// the capture has and in which roles, and the rule that made the keeper beat each kind of rival
// — the same rule each of those rivals names ("kept: ...") — or the user's keep that made it;
// and, on every damaged file in the view, how much of it is missing.
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <map>

namespace ipd {

namespace {

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "its Live Photo movie, 1 sidecar, 3 duplicates": the other files of a group, by role.
std::string members_text(const std::vector<FileRecord>& records, const std::vector<Placement>& placements,
                         const std::vector<FileIndex>& members, FileIndex keeper) {
  std::size_t movies = 0, sidecars = 0, beside_raw = 0, duplicates = 0;
  for (const FileIndex i : members) {
    if (i == keeper) {
      continue;
    }
    switch (placements[i].role) {
    case Role::companion: (records[i].kind == Kind::movie ? movies : sidecars) += 1; break;
    case Role::raw_sidecar: ++beside_raw; break;
    default: ++duplicates; break;
    }
  }
  std::vector<std::string> parts;
  if (movies) {
    parts.push_back(movies == 1 ? "its Live Photo movie" : plural(movies, "movie", "movies"));
  }
  if (sidecars) {
    parts.push_back(plural(sidecars, "sidecar", "sidecars"));
  }
  if (beside_raw) {
    parts.push_back(plural(beside_raw, "image beside the RAW file", "images beside the RAW file"));
  }
  if (duplicates) {
    parts.push_back(plural(duplicates, "duplicate", "duplicates"));
  }
  std::string out;
  for (const auto& part : parts) {
    out += (out.empty() ? "" : ", ") + part;
  }
  return out;
}

// "2 for original format HEIC over JPG, 1 for older file (downloaded first)": the rivals of the
// capture by the rule that decided, in the order of the ranking.
std::string rules_text(const std::vector<FileRecord>& records, const Capture& capture) {
  std::vector<std::pair<std::string, std::size_t>> rules; // in order of first appearance
  const FileRecord& keeper = records[capture.files[0]];
  for (std::size_t m = 1; m < capture.files.size(); ++m) {
    const std::string why = why_better(keeper, records[capture.files[m]]);
    auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.first == why; });
    if (it == rules.end()) {
      rules.emplace_back(why, 1);
    } else {
      ++it->second;
    }
  }
  std::string out;
  for (const auto& [why, n] : rules) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " for " + why;
  }
  return out;
}

} // namespace

void explain_keepers(const std::vector<FileRecord>& records, const Captures& captures, const Kinship& kinship,
                     std::vector<Placement>& placements) {
  std::map<std::uint32_t, std::vector<FileIndex>> groups;
  for (FileIndex i = 0; i < placements.size(); ++i) {
    if (placements[i].group != 0) {
      groups[placements[i].group].push_back(i);
    }
  }
  for (const Capture& capture : captures.list) {
    const FileIndex keeper = capture.files[0];
    Placement& p = placements[keeper];
    if (p.role != Role::keeper) {
      continue; // a Live Photo movie: its still's keeper speaks for the group
    }
    const auto& members = groups[capture.number];
    const Decision* keep = kinship.kept_by(keeper);
    const Decision* apart = kinship.apart_by(keeper);
    p.reason = members.size() <= 1
                   ? "the only file of this capture"
                   : "keeper of " + std::to_string(members.size()) + " files of this capture (" +
                         members_text(records, placements, members, keeper) + ")";
    if (keep) {
      p.reason = "kept: " + decision_words(*keep) + "; " + p.reason;
    } else if (capture.files.size() > 1) {
      p.reason += "; it beat " + rules_text(records, capture);
    }
    if (apart) {
      p.reason += "; apart from other captures: " + decision_words(*apart);
    }
  }
  // A damaged file says so wherever it is, with how much of it is missing.
  for (FileIndex i = 0; i < records.size(); ++i) {
    Placement& p = placements[i];
    if (records[i].damaged && !p.view.empty() && p.reason.find(records[i].error) == std::string::npos) {
      p.reason += "; damaged: " + records[i].error;
    }
  }
}

} // namespace ipd
