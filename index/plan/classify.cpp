// Pass 1: what each file is for the plan.
#include "index/plan/passes.hpp"

#include <sys/stat.h>

namespace ipd {

std::vector<FileClass> classify(const std::vector<FileRecord>& records) {
  std::vector<FileClass> classes(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const FileRecord& r = records[i];
    if (r.kind == Kind::symlink || r.kind == Kind::dir || !S_ISREG(r.mode)) {
      classes[i] = FileClass::outside;
    } else if (!r.error.empty() && !r.damaged) {
      classes[i] = FileClass::other; // a damaged file with its metadata is planned (docs/DESIGN.md §6)
    } else if (r.kind == Kind::still || r.kind == Kind::movie) {
      classes[i] = r.capture.known() ? FileClass::timed : FileClass::untimed;
    } else if (r.kind == Kind::sidecar) {
      classes[i] = FileClass::sidecar;
    } else {
      classes[i] = FileClass::other;
    }
  }
  return classes;
}

} // namespace ipd
