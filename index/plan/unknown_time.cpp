// Pass 9: media without a capture time, mirrored under unknown_time/<root>/…; byte copies of
// one are its duplicates, and the best of them stays (the user's keep, else the ranking).
#include "index/core/paths.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <map>

namespace ipd {

void place_unknown_time(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                        const ByteCopies& copies, const Decided& decided, const Kinship& kinship,
                        ViewNames& names, std::vector<Placement>& placements) {
  std::map<FileIndex, std::vector<FileIndex>> sets; // representative -> its byte copies
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] == FileClass::untimed) {
      sets[copies.rep[i]].push_back(i);
    }
  }
  for (auto& [rep, set] : sets) {
    std::sort(set.begin(), set.end(), [&](FileIndex a, FileIndex b) { return decided.first(records, a, b); });
    const FileIndex keeper = set.front();
    Placement& p = placements[keeper];
    p.role = Role::unknown_time;
    p.view = names.mirrored("unknown_time", records[keeper]);
    names.take(p.view);
    p.reason = "no capture time in the file (the file date is not trusted)";
    p.rules = "no EXIF DateTimeOriginal, QuickTime creation date or XMP date was found";
    if (records[keeper].capture.source == TimeSource::save_time) {
      p.reason = "no capture time in the file: its only date, EXIF DateTime, is when it was last saved";
      p.rules += "\nEXIF DateTime is trusted only with a camera's make and model or a GPS time "
                 "within a minute of it, and this file has neither";
    }
    if (const Decision* keep = kinship.kept_by(keeper); keep && set.size() > 1) {
      p.reason += "; kept of its byte copies: " + decision_words(*keep);
      p.rules += "\n" + kinship.decided(keeper);
    }
  }
  for (auto& [rep, set] : sets) {
    if (set.size() < 2) {
      continue;
    }
    const std::string& view = placements[set.front()].view;
    place_duplicates(records, set, set.front(), std::string(parent_of(view)),
                     std::string(stem_of(leaf_of(view))), Role::unknown_time,
                     "kept in unknown_time/: no capture time", kinship, names, placements);
  }
}

} // namespace ipd
