// Pass 6: captures and their keepers. A capture is a group of timed representatives with all
// their byte copies, ranked best first (rank.hpp): files[0] is the keeper.
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace ipd {

Captures rank_captures(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                       const ByteCopies& copies, const std::vector<FileIndex>& group_of) {
  std::map<FileIndex, std::vector<FileIndex>> by_group;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] == FileClass::timed) {
      by_group[group_of[copies.rep[i]]].push_back(i);
    }
  }
  Captures out;
  for (auto& [root, files] : by_group) {
    std::sort(files.begin(), files.end(),
              [&](FileIndex a, FileIndex b) { return better(records[a], records[b]); });
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

Kinship::Kinship(const ByteCopies& copies, const std::vector<AgreeingPair>& agreeing)
    : m_copies(copies), m_agreeing(agreeing), m_order(agreeing.size()) {
  for (std::size_t k = 0; k < m_order.size(); ++k) {
    m_order[k] = k;
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
  const auto it =
      std::lower_bound(m_order.begin(), m_order.end(), FilePair{a, b}, [&](std::size_t k, const FilePair& p) {
        return std::tie(m_agreeing[k].a, m_agreeing[k].b) < std::tie(p.first, p.second);
      });
  if (it != m_order.end() && m_agreeing[*it].a == a && m_agreeing[*it].b == b) {
    return "same capture: " + m_agreeing[*it].why;
  }
  return "same capture (through another copy of it)";
}

} // namespace ipd
