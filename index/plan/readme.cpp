// Pass 12: README.txt at the root of the view — what each folder holds, the counts, and every
// file that could not be read.
#include "index/plan/passes.hpp"

#include <map>

namespace ipd {

std::string readme_text(const std::vector<FileRecord>& records, const std::vector<Placement>& placements,
                        std::uint64_t groups) {
  std::map<Role, std::uint64_t> counts;
  std::vector<FileIndex> unreadable;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (!placements[i].view.empty()) {
      ++counts[placements[i].role];
    }
    if (!records[i].error.empty()) {
      unreadable.push_back(i);
    }
  }
  std::string t =
      "This folder is the curated view of your photo and video library, made by iphone-photo-dedup.\n"
      "Your input folders were not changed in any way.\n\n"
      "  <Device>/YYYY/YYYY-MM/   one file per capture, in the format it was captured in (the keeper),\n"
      "                           named YYYYMMDD_HHMMSS_<original name>, with its Live Photo movie,\n"
      "                           its .AAE/.XMP sidecars and, beside a RAW file, its JPG/HEIC\n"
      "  Unknown device/          media with a capture time but no camera make or model\n"
      "  duplicates/              every other copy of a capture, at its keeper's path: safe to delete\n"
      "  unknown_time/<folder>/   media with no capture time inside the file: review by hand\n"
      "  other/<folder>/          files that are not photos or videos, and files that could not be read\n\n"
      "Counts:\n";
  for (Role role :
       {Role::keeper, Role::companion, Role::raw_sidecar, Role::duplicate, Role::unknown_time, Role::other}) {
    t += "  " + std::string(role_name(role)) + ": " + std::to_string(counts[role]) + "\n";
  }
  t += "  captures with more than one file: " + std::to_string(groups) + "\n";
  t += "\nFiles that could not be read (" + std::to_string(unreadable.size()) + "):\n";
  for (const FileIndex i : unreadable) {
    t += "  " + records[i].path + ": " + records[i].error + "\n";
  }
  t += "\nAsk `iphone-photo-dedup explain PATH` why any file is where it is.\n";
  return t;
}

} // namespace ipd
