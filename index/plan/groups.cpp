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

} // namespace ipd
