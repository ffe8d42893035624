// Pass 11: every file not placed yet goes to other/<root>/…, mirrored — or, when it is not a
// regular file, stays out of the view with its reason.
#include "index/plan/passes.hpp"

namespace ipd {

void place_others(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                  ViewNames& names, std::vector<Placement>& placements) {
  for (FileIndex i = 0; i < records.size(); ++i) {
    Placement& p = placements[i];
    if (!p.view.empty()) {
      continue;
    }
    const FileRecord& r = records[i];
    p.role = Role::other;
    if (classes[i] == FileClass::outside) {
      p.reason = r.kind == Kind::symlink
                     ? "symbolic link (recorded, not followed): not in the view"
                     : "not a regular file" + (r.error.empty() ? std::string() : ": " + r.error);
      p.rules = p.reason;
      continue;
    }
    p.view = names.mirrored("other", r);
    names.take(p.view);
    if (!r.error.empty()) {
      p.reason = "could not be read: " + r.error;
    } else if (classes[i] == FileClass::sidecar) {
      p.reason = "sidecar whose photo or video is not among the inputs";
    } else {
      p.reason = "not a photo or video";
    }
    p.rules = p.reason;
  }
}

} // namespace ipd
