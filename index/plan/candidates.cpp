// Pass 3: pairs of timed media that may be one capture, from their metadata alone. Files are
// bucketed by kind and instant (local, and UTC where the file has an offset), then every pair of
// a bucket is checked.
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <map>
#include <set>

namespace ipd {

namespace {

std::int64_t utc_seconds(const CaptureTime& t) { return t.local - std::int64_t(t.offset_minutes) * 60; }

// What the metadata rules compare of one file, worked out once per file rather than once per
// pair: a bucket of one second can hold thousands of files (a camera without a clock).
struct Facts {
  std::string device; // device_name, lower case; empty when unknown
  bool edit = false;  // an edit by its name (IMG_E1234, -edited)
};

Facts facts_of(const FileRecord& r) {
  return {lower_ascii(device_name(r.make, r.model)), is_edit_name(stem_of(leaf_of(r.path)))};
}

// The metadata rules of one capture (docs/DESIGN.md §5).
bool may_be_one_capture(const FileRecord& x, const Facts& fx, const FileRecord& y, const Facts& fy) {
  return x.kind == y.kind && same_instant(x.capture, y.capture) &&
         (fx.device.empty() || fy.device.empty() || fx.device == fy.device) &&
         (x.content_id.empty() || y.content_id.empty() || x.content_id == y.content_id) && fx.edit == fy.edit;
}

} // namespace

bool same_instant(const CaptureTime& a, const CaptureTime& b) {
  const bool seconds = a.has_offset && b.has_offset ? utc_seconds(a) == utc_seconds(b) : a.local == b.local;
  if (!seconds) {
    return false;
  }
  return a.subsec_digits == 0 || b.subsec_digits == 0 || a.subsec_nanos == b.subsec_nanos;
}

std::vector<FilePair> candidate_pairs(const std::vector<FileRecord>& records,
                                      const std::vector<FileClass>& classes, const ByteCopies& copies) {
  std::map<std::pair<int, std::int64_t>, std::vector<FileIndex>> buckets;
  std::vector<Facts> facts(records.size()); // of the files bucketed (a file may be in two buckets)
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] != FileClass::timed || copies.rep[i] != i) {
      continue;
    }
    facts[i] = facts_of(records[i]);
    const CaptureTime& t = records[i].capture;
    const int kind = static_cast<int>(records[i].kind);
    buckets[{kind * 2, t.local}].push_back(i);
    if (t.has_offset) {
      buckets[{kind * 2 + 1, utc_seconds(t)}].push_back(i);
    }
  }
  std::set<FilePair> pairs;
  for (const auto& [key, members] : buckets) {
    for (std::size_t p = 0; p < members.size(); ++p) {
      for (std::size_t q = p + 1; q < members.size(); ++q) {
        const FileIndex a = members[p];
        const FileIndex b = members[q];
        if (may_be_one_capture(records[a], facts[a], records[b], facts[b])) {
          pairs.emplace(std::min(a, b), std::max(a, b));
        }
      }
    }
  }
  return {pairs.begin(), pairs.end()};
}

} // namespace ipd
