// Pass 6: captures and their keepers. A capture is a group of timed representatives with all
// their byte copies, the user's keep first, then ranked best first (rank.hpp): files[0] is the
// keeper.
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace ipd {

Captures rank_captures(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                       const ByteCopies& copies, const std::vector<FileIndex>& group_of,
                       const Decided& decided) {
  std::map<FileIndex, std::vector<FileIndex>> by_group;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] == FileClass::timed) {
      by_group[group_of[copies.rep[i]]].push_back(i);
    }
  }
  Captures out;
  for (auto& [root, files] : by_group) {
    std::sort(files.begin(), files.end(),
              [&](FileIndex a, FileIndex b) { return decided.first(records, a, b); });
    out.list.push_back({std::move(files), 0});
  }
  std::sort(out.list.begin(), out.list.end(), [&](const Capture& a, const Capture& b) {
    return records[a.files[0]].path < records[b.files[0]].path;
  });
  out.of.assign(records.size(), k_none);
  for (std::size_t c = 0; c < out.list.size(); ++c) {
    out.list[c].number = static_cast<std::uint32_t>(c + 1);
    for (const FileIndex i : out.list[c].files) {
      out.of[i] = c;
    }
  }
  return out;
}

Kinship::Kinship(const std::vector<FileRecord>& records, const ByteCopies& copies,
                 const std::vector<AgreeingPair>& agreeing, const Decided& decided)
    : m_records(records), m_copies(copies), m_agreeing(agreeing), m_decided(decided),
      m_order(agreeing.size()), m_set(records.size(), k_none) {
  for (std::size_t k = 0; k < m_order.size(); ++k) {
    m_order[k] = k;
  }
  for (std::size_t s = 0; s < decided.sets.size(); ++s) {
    for (const FileIndex i : decided.sets[s]) {
      m_set[i] = s;
    }
  }
  std::sort(m_order.begin(), m_order.end(), [&](std::size_t x, std::size_t y) {
    return std::tie(m_agreeing[x].a, m_agreeing[x].b) < std::tie(m_agreeing[y].a, m_agreeing[y].b);
  });
}

std::string Kinship::how_same(FileIndex file, FileIndex keeper) const {
  if (m_copies.same_bytes(file, keeper)) {
    return "byte-identical copy";
  }
  const FileIndex a = std::min(m_copies.rep[file], m_copies.rep[keeper]);
  const FileIndex b = std::max(m_copies.rep[file], m_copies.rep[keeper]);
  // The user's together, where it joins the two, is why they are one capture.
  const std::size_t set = m_set[m_copies.rep[file]];
  const auto together = [&] {
    return "same capture: " + decision_words(m_decided.decisions[m_decided.together[m_copies.rep[file]]]);
  };
  if (set != k_none && set == m_set[m_copies.rep[keeper]]) {
    return together();
  }
  const auto it =
      std::lower_bound(m_order.begin(), m_order.end(), FilePair{a, b}, [&](std::size_t k, const FilePair& p) {
        return std::tie(m_agreeing[k].a, m_agreeing[k].b) < std::tie(p.first, p.second);
      });
  if (it != m_order.end() && m_agreeing[*it].a == a && m_agreeing[*it].b == b) {
    return "same capture: " + m_agreeing[*it].why;
  }
  return set != k_none ? together() : "same capture (through another copy of it)";
}

std::string Kinship::why_kept(FileIndex keeper, FileIndex other) const {
  if (const Decision* d = kept_by(keeper)) {
    return decision_words(*d);
  }
  return why_better(m_records[keeper], m_records[other]);
}

const Decision* Kinship::kept_by(FileIndex file) const {
  const std::size_t k = m_decided.keep[file];
  return k == k_none ? nullptr : &m_decided.decisions[k];
}

const Decision* Kinship::apart_by(FileIndex file) const {
  const std::size_t k = m_decided.apart[file];
  return k == k_none ? nullptr : &m_decided.decisions[k];
}

std::string Kinship::decided(FileIndex file) const {
  std::string lines;
  // A together counts where it made a set (not when its set has no other file among the inputs).
  const bool in_set = m_set[m_copies.rep[file]] != k_none;
  for (const std::size_t k :
       {m_decided.keep[file], m_decided.apart[file], in_set ? m_decided.together[file] : k_none}) {
    if (k != k_none) {
      const Decision& d = m_decided.decisions[k];
      lines += (lines.empty() ? "" : "\n") + std::string("your decision: ") +
               std::string(verdict_name(d.verdict)) + ", " + decision_date(d.made_ns) + ", beats every rule";
    }
  }
  return lines;
}

} // namespace ipd
