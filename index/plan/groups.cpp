// Pass 5: groups of agreeing files, merged closest pair first and only when every pair across
// the two groups agrees:
//
//   A ─0.3─ B ─1.2─ C        A+B merge; {A,B}+C only if A–C agrees too
//
// so that a chain of near copies (a copy, then a copy of an edit) never pulls an edit in beside
// its original.
#include "index/plan/passes.hpp"
#include "index/plan/union_find.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace ipd {

namespace {

bool all_agree(const std::vector<FileIndex>& x, const std::vector<FileIndex>& y,
               const std::set<FilePair>& agreeing) {
  for (const FileIndex a : x) {
    for (const FileIndex b : y) {
      if (!agreeing.count({std::min(a, b), std::max(a, b)})) {
        return false;
      }
    }
  }
  return true;
}

} // namespace

std::vector<FileIndex> group_pairs(std::size_t n, std::vector<AgreeingPair> agreeing) {
  std::sort(agreeing.begin(), agreeing.end(), [](const AgreeingPair& p, const AgreeingPair& q) {
    return std::tie(p.distance, p.a, p.b) < std::tie(q.distance, q.a, q.b);
  });
  std::set<FilePair> agree_set;
  for (const auto& p : agreeing) {
    agree_set.emplace(p.a, p.b);
  }
  UnionFind groups(n);
  std::map<FileIndex, std::vector<FileIndex>> members_of; // root -> members
  for (const auto& p : agreeing) {
    const FileIndex ra = groups.find(p.a);
    const FileIndex rb = groups.find(p.b);
    if (ra == rb) {
      continue;
    }
    auto& ma = members_of.try_emplace(ra, std::vector<FileIndex>{ra}).first->second;
    auto& mb = members_of.try_emplace(rb, std::vector<FileIndex>{rb}).first->second;
    if (!all_agree(ma, mb, agree_set)) {
      continue;
    }
    groups.join(ra, rb);
    const FileIndex root = groups.find(ra);
    const FileIndex gone = root == ra ? rb : ra;
    auto& kept = members_of[root];
    auto& lost = members_of[gone];
    kept.insert(kept.end(), lost.begin(), lost.end());
    members_of.erase(gone);
  }
  std::vector<FileIndex> root(n);
  for (FileIndex i = 0; i < n; ++i) {
    root[i] = groups.find(i);
  }
  return root;
}

std::vector<FileIndex> group_with_damaged(const std::vector<FileRecord>& records,
                                          const std::vector<AgreeingPair>& agreeing) {
  const auto damaged = [&](const AgreeingPair& p) { return records[p.a].damaged || records[p.b].damaged; };
  std::vector<AgreeingPair> intact;
  std::vector<AgreeingPair> with_damaged;
  for (const AgreeingPair& p : agreeing) {
    (damaged(p) ? with_damaged : intact).push_back(p);
  }
  const std::vector<FileIndex> root = group_pairs(records.size(), std::move(intact));
  if (with_damaged.empty()) {
    return root;
  }
  // Intact partners first, then the closest.
  std::sort(with_damaged.begin(), with_damaged.end(), [&](const AgreeingPair& p, const AgreeingPair& q) {
    const bool pd = records[p.a].damaged && records[p.b].damaged;
    const bool qd = records[q.a].damaged && records[q.b].damaged;
    return std::tie(pd, p.distance, p.a, p.b) < std::tie(qd, q.distance, q.a, q.b);
  });
  UnionFind groups(records.size());
  for (FileIndex i = 0; i < root.size(); ++i) {
    groups.join(i, root[i]);
  }
  std::vector<bool> attached(records.size(), false);
  for (const AgreeingPair& p : with_damaged) {
    if (records[p.a].damaged && records[p.b].damaged) {
      if (attached[p.a] && attached[p.b]) {
        continue; // two groups are never joined through damaged files
      }
    } else {
      const FileIndex d = records[p.a].damaged ? p.a : p.b;
      if (attached[d]) {
        continue;
      }
    }
    groups.join(p.a, p.b);
    attached[p.a] = attached[p.a] || records[p.a].damaged;
    attached[p.b] = attached[p.b] || records[p.b].damaged;
  }
  std::vector<FileIndex> out(records.size());
  for (FileIndex i = 0; i < out.size(); ++i) {
    out[i] = groups.find(i);
  }
  return out;
}

} // namespace ipd
