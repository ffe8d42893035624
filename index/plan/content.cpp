// Pass 4: which candidate pairs show one picture.
//
//   candidate pair ─► movies: duration and dimensions
//                  ─► a RAW file and an image: agreed (same instant and device)
//                  ─► stills: headers settle it? equal content ids + camera-made sizes: same
//                                                 other aspect ratios: different
//                             else fingerprints (32×32 grey, auto-rotated) under the threshold
//
// Files the headers settled together share one fingerprint, printed from the member cheapest
// to decode (a HEIC converted to JPEG on transfer is printed from its JPEG). When a stand-in
// cannot be decoded, the next member of its set stands in, in a further round.
#include "index/core/paths.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"
#include "index/plan/union_find.hpp"

#include <oneapi/tbb/parallel_for_each.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

namespace ipd {

namespace {

// What the headers say of a still pair.
enum class Settle : std::uint8_t { pixels, same, refused };

bool needs_pixels(const FileRecord& x, const FileRecord& y) {
  return x.kind == Kind::still && !is_raw(x.format) && !is_raw(y.format);
}

// Equal content identifiers and instants settle it (docs/DESIGN.md §5) when
// both also show the same upright size and neither was written by an editor, which may keep the
// identifier while changing the pixels.
bool settled_by_headers(const FileRecord& x, const FileRecord& y) {
  return !x.content_id.empty() && x.content_id == y.content_id && x.width != 0 && x.width == y.width &&
         x.height == y.height && !is_editor_software(x.software) && !is_editor_software(y.software);
}

bool aspects_differ(const FileRecord& x, const FileRecord& y) {
  return x.width != 0 && x.height != 0 && y.width != 0 && y.height != 0 &&
         !aspects_match(static_cast<float>(x.width) / static_cast<float>(x.height),
                        static_cast<float>(y.width) / static_cast<float>(y.height));
}

struct HeaderVerdicts {
  std::map<FilePair, Settle> settle; // every candidate still pair that needs pixels
  // The files settled together, each set cheapest to decode first.
  std::vector<std::vector<FileIndex>> sets;
};

// JPEG before other stills before HEIC/AVIF; a file already printed before all.
auto decode_cost(const std::vector<FileRecord>& records, FileIndex i) {
  const FileRecord& r = records[i];
  const int format = r.format == Format::jpeg                               ? 0
                     : r.format == Format::heic || r.format == Format::avif ? 2
                                                                            : 1;
  return std::make_tuple(r.fingerprint.empty() ? 1 : 0, format, std::uint64_t(r.width) * r.height, i);
}

HeaderVerdicts read_headers(const std::vector<FileRecord>& records, const std::vector<FilePair>& candidates,
                            PlanStats& stats) {
  HeaderVerdicts out;
  UnionFind same_content(records.size());
  for (const auto& [a, b] : candidates) {
    if (!needs_pixels(records[a], records[b])) {
      continue;
    }
    const Settle s = settled_by_headers(records[a], records[b]) ? Settle::same
                     : aspects_differ(records[a], records[b])   ? Settle::refused
                                                                : Settle::pixels;
    out.settle[{a, b}] = s;
    if (s == Settle::same) {
      same_content.join(a, b);
      ++stats.settled_by_metadata;
    } else if (s == Settle::refused) {
      ++stats.refused_by_aspect;
    }
  }
  std::map<FileIndex, std::vector<FileIndex>> sets;
  for (const auto& [pair, s] : out.settle) {
    for (const FileIndex i : {pair.first, pair.second}) {
      sets[same_content.find(i)].push_back(i);
    }
  }
  for (auto& [root, members] : sets) {
    std::sort(members.begin(), members.end(),
              [&](FileIndex x, FileIndex y) { return decode_cost(records, x) < decode_cost(records, y); });
    members.erase(std::unique(members.begin(), members.end()), members.end());
    out.sets.push_back(std::move(members));
  }
  return out;
}

// The fingerprints the pairs need, in rounds: each file of a set stands in with the set's
// cheapest member not yet found undecodable.
class Prints {
public:
  explicit Prints(std::size_t n) : m_printed_by(n), m_error(n), m_seconds(n, 0.0) {}

  // Prints every file a `pixels` pair needs (records' fingerprints set); returns those computed.
  std::vector<FileIndex> make(std::vector<FileRecord>& records, const HeaderVerdicts& headers,
                              FileContent& content) {
    std::vector<FileIndex> all;
    for (;;) {
      choose_stand_ins(headers);
      const std::vector<FileIndex> round = wanted(records, headers);
      if (round.empty()) {
        break;
      }
      print(records, round, content);
      all.insert(all.end(), round.begin(), round.end());
    }
    return all;
  }

  FileIndex printed_by(FileIndex i) const { return m_printed_by[i]; }
  const std::string& error(FileIndex i) const { return m_error[i]; }
  double seconds(FileIndex i) const { return m_seconds[i]; }

private:
  void choose_stand_ins(const HeaderVerdicts& headers) {
    for (FileIndex i = 0; i < m_printed_by.size(); ++i) {
      m_printed_by[i] = i;
    }
    for (const auto& members : headers.sets) {
      const auto usable =
          std::find_if(members.begin(), members.end(), [&](FileIndex i) { return m_error[i].empty(); });
      for (const FileIndex i : members) {
        m_printed_by[i] = usable == members.end() ? i : *usable;
      }
    }
  }

  std::vector<FileIndex> wanted(const std::vector<FileRecord>& records, const HeaderVerdicts& headers) const {
    std::set<FileIndex> wanted;
    for (const auto& [pair, s] : headers.settle) {
      if (s == Settle::pixels) {
        wanted.insert(m_printed_by[pair.first]);
        wanted.insert(m_printed_by[pair.second]);
      }
    }
    std::vector<FileIndex> out;
    for (const FileIndex i : wanted) {
      if (records[i].fingerprint.empty() && m_error[i].empty()) {
        out.push_back(i);
      }
    }
    return out;
  }

  void print(std::vector<FileRecord>& records, const std::vector<FileIndex>& files, FileContent& content) {
    tbb::parallel_for_each(files.begin(), files.end(), [&](FileIndex i) {
      const auto began = std::chrono::steady_clock::now();
      std::string error;
      Fingerprint fp;
      if (content.fingerprint(records[i], fp, error)) {
        records[i].fingerprint = encode_fingerprint(fp);
      }
      if (records[i].fingerprint.empty()) {
        m_error[i] = error.empty() ? "cannot decode" : error;
      }
      m_seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    });
  }

  std::vector<FileIndex> m_printed_by;
  std::vector<std::string> m_error; // why a file could not be printed; empty when it could (or was not tried)
  std::vector<double> m_seconds;    // time spent printing each file
};

void count_prints(const std::vector<FileRecord>& records, const std::vector<FileIndex>& printed,
                  const Prints& prints, PlanStats& stats) {
  for (const FileIndex i : printed) {
    if (records[i].format == Format::heic) {
      ++stats.heic_prints;
      stats.heic_seconds += prints.seconds(i);
    } else if (records[i].format == Format::jpeg) {
      ++stats.jpeg_prints;
      stats.jpeg_seconds += prints.seconds(i);
    }
    stats.fingerprint_errors += prints.error(i).empty() ? 0 : 1;
  }
  stats.fingerprinted = printed.size();
}

std::optional<AgreeingPair> compare_movies(const FileRecord& x, const FileRecord& y, AgreeingPair pair) {
  const std::int64_t dx = x.duration_ms;
  const std::int64_t dy = y.duration_ms;
  const std::int64_t tolerance = std::max<std::int64_t>(100, std::max(dx, dy) / 100);
  const bool dims = (x.width == y.width && x.height == y.height) || x.width == 0 || y.width == 0;
  if (std::llabs(dx - dy) > tolerance || !dims) {
    return std::nullopt;
  }
  pair.why = "same instant, device, duration and dimensions";
  return pair;
}

// A still pair that needs pixels, from the fingerprints of the files standing in for each.
std::optional<AgreeingPair> compare_pixels(const std::vector<FileRecord>& records, const Prints& prints,
                                           const PlanOptions& options, FileContent& content,
                                           AgreeingPair pair) {
  const FileRecord& x = records[pair.a];
  const FileRecord& y = records[pair.b];
  Fingerprint fx;
  Fingerprint fy;
  if (!decode_fingerprint(records[prints.printed_by(pair.a)].fingerprint, fx) ||
      !decode_fingerprint(records[prints.printed_by(pair.b)].fingerprint, fy)) {
    // Without pixels, equal content identifiers and equal instants settle it.
    if (x.content_id.empty() || x.content_id != y.content_id) {
      return std::nullopt;
    }
    pair.why = "same content identifier and instant (pixels not decodable)";
    return pair;
  }
  if (!aspects_match(fx.aspect, fy.aspect)) {
    return std::nullopt;
  }
  char buf[96];
  if (options.full_compare) {
    std::string error;
    const double percent = content.full_compare(x, y, error);
    if (percent < 0 || percent >= options.full_threshold) {
      return std::nullopt;
    }
    pair.distance = percent;
    std::snprintf(buf, sizeof buf, "whole images differ by %.2f%% (under %.2f%%)", percent,
                  options.full_threshold);
    pair.why = buf;
    return pair;
  }
  pair.distance = fingerprint_distance(fx, fy);
  if (pair.distance >= options.threshold) {
    return std::nullopt;
  }
  std::snprintf(buf, sizeof buf, "content distance %.2f (under %.2f)", pair.distance, options.threshold);
  pair.why = buf;
  for (const FileIndex i : {pair.a, pair.b}) {
    if (prints.printed_by(i) != i) {
      pair.why += std::string(", the pixels of ") + std::string(leaf_of(records[i].path)) +
                  " read from its settled copy " + std::string(leaf_of(records[prints.printed_by(i)].path));
    }
  }
  return pair;
}

} // namespace

ContentCheck check_content(std::vector<FileRecord>& records, const std::vector<FilePair>& candidates,
                           const PlanOptions& options, FileContent& content, PlanStats& stats) {
  const HeaderVerdicts headers = read_headers(records, candidates, stats);
  Prints prints(records.size());
  const std::vector<FileIndex> printed = prints.make(records, headers, content);
  count_prints(records, printed, prints, stats);

  ContentCheck out;
  for (const FileIndex i : printed) {
    if (!records[i].fingerprint.empty()) {
      out.printed.push_back(i);
    }
  }
  std::sort(out.printed.begin(), out.printed.end());
  for (const auto& [a, b] : candidates) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    std::optional<AgreeingPair> agreed;
    if (x.kind == Kind::movie) {
      agreed = compare_movies(x, y, {a, b, 0, {}});
    } else if (!needs_pixels(x, y)) {
      agreed = AgreeingPair{a, b, 0, "a RAW file and an image of the same instant and device"};
    } else if (const Settle s = headers.settle.at({a, b}); s == Settle::same) {
      agreed = AgreeingPair{a, b, 0, "same content identifier, instant and size, written by the camera"};
    } else if (s == Settle::pixels) {
      agreed = compare_pixels(records, prints, options, content, {a, b, 0, {}});
    }
    if (agreed) {
      out.agreeing.push_back(std::move(*agreed));
    }
  }
  return out;
}

} // namespace ipd
