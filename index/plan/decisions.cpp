// Pass 2b: the user's decisions (docs/DESIGN.md §6), found among the files and settled, and the
// places where they act before the rules of the passes after them:
//
//   decisions ─► files of each content (decided sizes hashed where the catalog has no hash)
//             ─► apart and together on one content: the later holds
//             ─► together sets of timed representatives
//   pass 3 candidates ─► drop_apart         an apart file is in no candidate pair
//   pass 5 groups     ─► join_together      a together set joins the groups of its files
//   pass 6 captures   ─► Decided::first     the latest keep first (note_keep_conflicts)
//   pass 9 unknown    ─► Decided::first     a keep picks which byte copy stays
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"
#include "index/plan/union_find.hpp"

#include <oneapi/tbb/parallel_for_each.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace ipd {

namespace {

bool is_media(FileClass c) { return c == FileClass::timed || c == FileClass::untimed; }

std::string named(const Decision& d) { return "`" + std::string(verdict_name(d.verdict)) + "`"; }

void add_note(DecisionOutcome& outcome, const std::string& note) {
  outcome.note += (outcome.note.empty() ? "" : "; ") + note;
}

// Hashes every media file of a decided size that has no hash yet; returns those hashed.
std::vector<FileIndex> hash_decided_sizes(std::vector<FileRecord>& records,
                                          const std::vector<FileClass>& classes,
                                          const std::vector<Decision>& decisions, FileContent& content) {
  std::set<std::uint64_t> sizes;
  for (const Decision& d : decisions) {
    sizes.insert(d.content.size);
  }
  std::vector<FileIndex> hashed;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (is_media(classes[i]) && records[i].size > 0 && records[i].content_hash == 0 &&
        sizes.count(records[i].size)) {
      hashed.push_back(i);
    }
  }
  tbb::parallel_for_each(hashed.begin(), hashed.end(),
                         [&](FileIndex i) { records[i].content_hash = content.full_hash(records[i]); });
  return hashed;
}

// The decisions that hold for one content, one per verdict (k_none: none).
struct Holding {
  std::size_t keep = k_none;
  std::size_t apart = k_none;
  std::size_t together = k_none;
};

// Which decisions hold for each content: the latest of each verdict, and of an apart and a
// together the later (both noted).
std::map<ContentKey, Holding> holding_decisions(Decided& out) {
  std::map<ContentKey, Holding> by_content;
  for (std::size_t k = 0; k < out.decisions.size(); ++k) {
    const Decision& d = out.decisions[k];
    Holding& h = by_content[d.content];
    std::size_t& slot = d.verdict == Verdict::keep    ? h.keep
                        : d.verdict == Verdict::apart ? h.apart
                                                      : h.together;
    // The later wins; of two made at once (never so in the catalog, whose key holds one of each
    // verdict per content), the one on the greater path, so the order given does not matter.
    if (slot == k_none ||
        std::tie(out.decisions[slot].made_ns, out.decisions[slot].path) < std::tie(d.made_ns, d.path)) {
      slot = k;
    }
  }
  for (auto& [content, h] : by_content) {
    if (h.apart == k_none || h.together == k_none) {
      continue;
    }
    const Decision& a = out.decisions[h.apart];
    const Decision& t = out.decisions[h.together];
    const bool apart_later = a.made_ns >= t.made_ns;
    const std::size_t later = apart_later ? h.apart : h.together;
    const std::size_t earlier = apart_later ? h.together : h.apart;
    add_note(out.outcomes[earlier], "overruled by a later " + named(out.decisions[later]) +
                                        " on this file (" + decision_date(out.decisions[later].made_ns) +
                                        "): the latest decision wins");
    add_note(out.outcomes[later], "holds over an earlier " + named(out.decisions[earlier]) +
                                      " on this file (" + decision_date(out.decisions[earlier].made_ns) +
                                      ")");
    (apart_later ? h.together : h.apart) = k_none;
  }
  return by_content;
}

// The together sets: the timed representatives of the files of each set's holding decisions,
// all of the kind of the set's first.
void make_sets(Decided& out, const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
               const ByteCopies& copies) {
  std::map<std::uint64_t, std::vector<std::size_t>> members; // set -> its holding decisions
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (const std::size_t k = out.together[i]; k != k_none) {
      members[out.decisions[k].set].push_back(k);
    }
  }
  for (auto& [set, list] : members) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
    std::set<FileIndex> reps;
    std::optional<Kind> kind;
    for (const std::size_t k : list) {
      for (const FileIndex f : out.outcomes[k].files) {
        if (classes[f] != FileClass::timed) {
          add_note(out.outcomes[k],
                   "has no capture time: `together` joins only photos and videos that have one");
          break;
        }
        if (kind && records[f].kind != *kind) {
          add_note(out.outcomes[k], "a photo and a movie are never one capture");
          break;
        }
        kind = records[f].kind;
        reps.insert(copies.rep[f]);
      }
    }
    if (reps.size() < 2) {
      for (const std::size_t k : list) {
        if (!out.outcomes[k].files.empty()) {
          add_note(out.outcomes[k], "no other file of its set is among the inputs now");
        }
      }
      continue;
    }
    out.sets.emplace_back(reps.begin(), reps.end());
  }
}

} // namespace

bool Decided::first(const std::vector<FileRecord>& records, FileIndex a, FileIndex b) const {
  constexpr std::int64_t none = std::numeric_limits<std::int64_t>::min();
  const auto made = [&](FileIndex i) { return keep[i] == k_none ? none : decisions[keep[i]].made_ns; };
  const auto on_it = [&](FileIndex i) {
    return keep[i] != k_none && records[i].path == decisions[keep[i]].path;
  };
  if (made(a) != made(b)) {
    return made(a) > made(b);
  }
  if (on_it(a) != on_it(b)) {
    return on_it(a);
  }
  return better(records[a], records[b]);
}

Decided match_decisions(std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                        const ByteCopies& copies, const std::vector<Decision>& decisions,
                        FileContent& content) {
  Decided out;
  out.decisions = decisions;
  out.keep.assign(records.size(), k_none);
  out.apart.assign(records.size(), k_none);
  out.together.assign(records.size(), k_none);
  out.outcomes.resize(decisions.size());
  if (decisions.empty()) {
    return out;
  }
  out.hashed = hash_decided_sizes(records, classes, decisions, content);
  std::map<ContentKey, std::vector<FileIndex>> files_of;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (is_media(classes[i]) && records[i].content_hash != 0) {
      files_of[{records[i].size, records[i].content_hash}].push_back(i);
    }
  }
  for (std::size_t k = 0; k < decisions.size(); ++k) {
    if (const auto it = files_of.find(decisions[k].content); it != files_of.end()) {
      out.outcomes[k].files = it->second;
    } else {
      add_note(out.outcomes[k], "no input file has this content now (kept until you forget it)");
    }
  }
  for (const auto& [content_key, h] : holding_decisions(out)) {
    const auto it = files_of.find(content_key);
    if (it == files_of.end()) {
      continue;
    }
    for (const FileIndex i : it->second) {
      out.keep[i] = h.keep;
      out.apart[i] = h.apart;
      out.together[i] = h.together;
    }
  }
  make_sets(out, records, classes, copies);
  return out;
}

void drop_apart(std::vector<FilePair>& candidates, const ByteCopies& copies, const Decided& decided) {
  const auto apart = [&](FileIndex i) { return decided.apart[copies.rep[i]] != k_none; };
  candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                  [&](const FilePair& p) { return apart(p.first) || apart(p.second); }),
                   candidates.end());
}

void join_together(std::vector<FileIndex>& group_of, const Decided& decided) {
  if (decided.sets.empty()) {
    return;
  }
  UnionFind groups(group_of.size());
  for (FileIndex i = 0; i < group_of.size(); ++i) {
    groups.join(i, group_of[i]);
  }
  for (const auto& set : decided.sets) {
    for (const FileIndex i : set) {
      groups.join(set.front(), i);
    }
  }
  for (FileIndex i = 0; i < group_of.size(); ++i) {
    group_of[i] = groups.find(i);
  }
}

void note_keep_conflicts(const Captures& captures, const Decided& decided,
                         std::vector<DecisionOutcome>& outcomes) {
  for (const Capture& capture : captures.list) {
    const std::size_t winner = decided.keep[capture.files[0]];
    std::set<std::size_t> others;
    for (const FileIndex i : capture.files) {
      if (decided.keep[i] != k_none && decided.keep[i] != winner) {
        others.insert(decided.keep[i]);
      }
    }
    if (winner == k_none || others.empty()) {
      continue;
    }
    const Decision& w = decided.decisions[winner];
    for (const std::size_t k : others) {
      const Decision& o = decided.decisions[k];
      add_note(outcomes[k], "overruled: its file is one capture with " + w.path + ", kept by a " +
                                (o.made_ns < w.made_ns ? "later" : "simultaneous") + " `keep` (" +
                                decision_date(w.made_ns) + ")");
      add_note(outcomes[winner], std::string("holds over ") +
                                     (o.made_ns < w.made_ns ? "an earlier" : "a simultaneous") +
                                     " `keep` on " + o.path + ", one capture with this file");
    }
  }
}

} // namespace ipd
