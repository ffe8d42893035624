// Pass 2: byte-identical copies, as rmlint finds them:
//
//   media and sidecars ─► one inode? joined unread ─► same size ─► same first 64 KiB ─► same hash of all
//   bytes
//
// Hashes are kept on the records: a file hashed once is never read for this again.
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"
#include "index/plan/union_find.hpp"

#include <oneapi/tbb/parallel_for_each.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace ipd {

namespace {

constexpr std::size_t k_head_bytes = 64 * 1024;

using BySize = std::map<std::uint64_t, std::vector<FileIndex>>;

// Hard links of one inode are one file: joined without reading, and only the first of them
// is sorted by size for hashing.
BySize join_hard_links(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                       UnionFind& copies) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, FileIndex> first_link;
  BySize by_size;
  for (FileIndex i = 0; i < records.size(); ++i) {
    const bool media = classes[i] == FileClass::timed || classes[i] == FileClass::untimed ||
                       classes[i] == FileClass::sidecar;
    if (!media || records[i].size == 0) {
      continue;
    }
    const auto [it, first] = first_link.emplace(std::make_pair(records[i].dev, records[i].ino), i);
    if (first) {
      by_size[records[i].size].push_back(i);
    } else {
      copies.join(it->second, i);
    }
  }
  return by_size;
}

// The files whose whole content must be hashed: a file of a shared size whose head another file
// of that size shares, or whose size holds a file hashed before. Reads the heads in parallel.
// `files` in the order of their inodes, where a spinning disk seeks least.
std::vector<FileIndex> by_inode(const std::vector<FileRecord>& records, std::vector<FileIndex> files) {
  std::sort(files.begin(), files.end(), [&](FileIndex a, FileIndex b) {
    return std::tie(records[a].dev, records[a].ino) < std::tie(records[b].dev, records[b].ino);
  });
  return files;
}

std::vector<FileIndex> files_to_hash(const std::vector<FileRecord>& records, const BySize& by_size,
                                     FileContent& content, bool one_at_a_time, Progress* progress) {
  std::vector<FileIndex> same_size;
  for (const auto& [size, members] : by_size) {
    if (members.size() > 1) {
      same_size.insert(same_size.end(), members.begin(), members.end());
    }
  }
  std::vector<std::uint64_t> head(records.size(), 0);
  const ProgressPass pass(progress, "reading heads of same-size files", same_size.size());
  const auto read_head = [&](FileIndex i) {
    if (records[i].content_hash == 0) {
      head[i] = content.head_hash(records[i], k_head_bytes);
    }
    pass.advance(1);
  };
  if (one_at_a_time) {
    for (const FileIndex i : by_inode(records, same_size)) {
      read_head(i);
    }
  } else {
    tbb::parallel_for_each(same_size.begin(), same_size.end(), read_head);
  }
  std::vector<FileIndex> out;
  for (const auto& [size, members] : by_size) {
    if (members.size() < 2) {
      continue;
    }
    std::map<std::uint64_t, int> heads;
    for (const FileIndex i : members) {
      if (records[i].content_hash == 0 && head[i] != 0) {
        ++heads[head[i]];
      }
    }
    const bool any_hashed = std::any_of(members.begin(), members.end(),
                                        [&](FileIndex i) { return records[i].content_hash != 0; });
    for (const FileIndex i : members) {
      if (records[i].content_hash == 0 && head[i] != 0 && (heads[head[i]] > 1 || any_hashed)) {
        out.push_back(i);
      }
    }
  }
  return out;
}

void join_equal_hashes(const std::vector<FileRecord>& records, const BySize& by_size, UnionFind& copies) {
  for (const auto& [size, members] : by_size) {
    std::map<std::uint64_t, FileIndex> first;
    for (const FileIndex i : members) {
      if (records[i].content_hash == 0) {
        continue;
      }
      const auto [it, inserted] = first.emplace(records[i].content_hash, i);
      if (!inserted) {
        copies.join(it->second, i);
      }
    }
  }
}

// The best-ranked file of each set stands for the set in the passes that follow.
std::vector<FileIndex> representatives(const std::vector<FileRecord>& records, UnionFind& copies) {
  std::map<FileIndex, FileIndex> best;
  for (FileIndex i = 0; i < records.size(); ++i) {
    const auto [it, inserted] = best.emplace(copies.find(i), i);
    if (!inserted && better(records[i], records[it->second])) {
      it->second = i;
    }
  }
  std::vector<FileIndex> rep(records.size());
  for (FileIndex i = 0; i < records.size(); ++i) {
    rep[i] = best[copies.find(i)];
  }
  return rep;
}

} // namespace

ByteCopies find_byte_copies(std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                            FileContent& content, bool one_at_a_time, Progress* progress) {
  UnionFind copies(records.size());
  const BySize by_size = join_hard_links(records, classes, copies);
  ByteCopies out;
  out.hashed = files_to_hash(records, by_size, content, one_at_a_time, progress);
  std::uint64_t bytes = 0;
  for (const FileIndex i : out.hashed) {
    bytes += records[i].size;
  }
  const ProgressPass pass(progress, "hashing copies", out.hashed.size(), bytes);
  const auto hash = [&](FileIndex i) {
    records[i].content_hash = content.full_hash(records[i]);
    pass.advance(1, records[i].size);
  };
  if (one_at_a_time) {
    for (const FileIndex i : by_inode(records, out.hashed)) {
      hash(i);
    }
  } else {
    tbb::parallel_for_each(out.hashed.begin(), out.hashed.end(), hash);
  }
  std::sort(out.hashed.begin(), out.hashed.end());
  join_equal_hashes(records, by_size, copies);
  out.rep = representatives(records, copies);
  return out;
}

} // namespace ipd
