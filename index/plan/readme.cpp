// Pass 12: README.txt at the root of the view — what each folder holds, the counts, every
// file that could not be read, and the user's decisions.
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"

#include <map>

namespace ipd {

namespace {

std::string count_line(std::string_view what, std::uint64_t n) {
  return "  " + std::string(what) + ": " + std::to_string(n) + "\n";
}

// The decisions, each with the view paths of its files and its note.
std::string decisions_text(const std::vector<Placement>& placements, const std::vector<Decision>& decisions,
                           const std::vector<DecisionOutcome>& outcomes) {
  std::string t = "\nYour decisions (" + std::to_string(decisions.size()) +
                  "), which beat every rule (`iphone-photo-dedup decisions` lists them):\n";
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    const Decision& d = decisions[k];
    t += "  " + std::string(verdict_name(d.verdict)) + ", " + decision_date(d.made_ns) + ": " +
         display_path(d.path) + "\n";
    for (const FileIndex i : outcomes[k].files) {
      const Placement& p = placements[i];
      t += "    " + std::string(role_name(p.role)) + ": " + display_path(p.view.empty() ? p.source : p.view) +
           "\n";
    }
    if (!outcomes[k].note.empty()) {
      t += "    note: " + outcomes[k].note + "\n";
    }
  }
  return t;
}

} // namespace

std::string readme_text(const std::vector<FileRecord>& records, const std::vector<Placement>& placements,
                        std::uint64_t groups, const std::vector<Decision>& decisions,
                        const std::vector<DecisionOutcome>& outcomes) {
  std::map<Role, std::uint64_t> counts;
  std::vector<FileIndex> unreadable; // in the view, under other/
  std::vector<FileIndex> damaged;    // in the view where their capture goes
  std::vector<FileIndex> not_served; // symlinks, FIFOs, sockets, devices, unreadable folders
  for (FileIndex i = 0; i < records.size(); ++i) {
    ++counts[placements[i].role];
    if (placements[i].view.empty()) {
      not_served.push_back(i);
    } else if (records[i].damaged) {
      damaged.push_back(i);
    } else if (!records[i].error.empty()) {
      unreadable.push_back(i);
    }
  }
  std::string t =
      "This folder is the curated view of your photo and video library, made by iphone-photo-dedup.\n"
      "Your input folders were not changed in any way.\n\n"
      "  <Device>/YYYY/YYYY-MM/   one file per capture, in the format it was captured in (the keeper),\n"
      "                           named YYYYMMDD_HHMMSS_<original name>, with its Live Photo movie,\n"
      "                           its .AAE/.XMP sidecars and, beside a RAW file, its JPG/HEIC\n"
      "  unknown_device/          media with a capture time but no camera make or model\n"
      "  duplicates/              every other copy of a capture, at its keeper's path\n"
      "  unknown_time/<folder>/   media with no capture time inside the file: review by hand\n"
      "  other/<folder>/          files that are not photos or videos, and files that could not be read\n\n"
      "Deleting:\n"
      "  In a mounted view (iphone-photo-dedup mount) nothing can be deleted: it is read-only.\n"
      "  Make it real first (iphone-photo-dedup materialize DIR), then check it\n"
      "  (iphone-photo-dedup verify DIR): when verify says so, your input folders can go, and in\n"
      "  the materialized tree so can duplicates/.\n\n"
      "Counts (every input file, as `iphone-photo-dedup list` shows them):\n";
  for (Role role :
       {Role::keeper, Role::companion, Role::raw_sidecar, Role::duplicate, Role::unknown_time, Role::other}) {
    t += count_line(role_name(role), counts[role]);
  }
  t += count_line("of the other files, not in the view (listed below)", not_served.size());
  t += count_line("captures with more than one file", groups);
  t += "\nFiles that could not be read (" + std::to_string(unreadable.size()) + "), in other/:\n";
  for (const FileIndex i : unreadable) {
    t += "  " + display_path(records[i].path) + ": " + records[i].error + "\n";
  }
  t += "\nDamaged files (" + std::to_string(damaged.size()) +
       "), placed like intact ones: each shows only part of its picture, and any intact copy\n"
       "of the same capture is kept before it\n";
  for (const FileIndex i : damaged) {
    t += "  " + display_path(placements[i].view) + " (" + std::string(role_name(placements[i].role)) +
         "): " + records[i].error + "\n";
  }
  t += "\nNot in the view (" + std::to_string(not_served.size()) +
       "): symbolic links, FIFOs, sockets, devices and folders that could not be read\n";
  for (const FileIndex i : not_served) {
    t += "  " + display_path(records[i].path) + ": " + placements[i].reason + "\n";
  }
  if (!decisions.empty()) {
    t += decisions_text(placements, decisions, outcomes);
  }
  t += "\nAsk `iphone-photo-dedup explain PATH` why any file is where it is.\n";
  return t;
}

} // namespace ipd
