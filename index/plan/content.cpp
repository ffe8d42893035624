// Pass 4: which candidate pairs show one picture.
//
//   candidate pair ─► movies: duration and dimensions
//                  ─► a RAW file and an image: agreed (same instant and device)
//                  ─► stills: headers settle it? equal content ids + camera-made sizes: same
//                                                 other aspect ratios: different
//                                                 a damaged file: same subsecond, device, size
//                                                 and no editor: same; else different
//                             else samples (sample.hpp: four regions at full detail)
//                                  clearly the same: agreed;  clearly different: refused
//                                  in the band, or an editor wrote one: the whole pictures'
//                                  fingerprints (32×32 grey) under the threshold
//
// Files the headers settled together share one sample and one fingerprint, made from the member
// cheapest to decode (a HEIC converted to JPEG on transfer is read from its JPEG). When a stand-in
// cannot be decoded, the next member of its set stands in, in a further round. A sample covers a
// few percent of the picture, so it never has the last word on a file an editor wrote: a local
// retouch between its regions would not show.
#include "index/core/paths.hpp"
#include "index/pixels/sample.hpp"
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
#include <utility>

namespace ipd {

namespace {

// What the headers say of a still pair.
enum class Settle : std::uint8_t { pixels, same, same_damaged, refused };

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

// A damaged file's pixels are partly missing, so they cannot be compared: it is a copy when it
// and the other file state the same instant to the subsecond, the same device and the same
// upright size, and no editor wrote either (a burst or an edit differs in one of these).
bool damaged_copy_by_headers(const FileRecord& x, const FileRecord& y) {
  return x.capture.subsec_digits > 0 && y.capture.subsec_digits > 0 && !x.model.empty() && !y.model.empty() &&
         x.width != 0 && x.width == y.width && x.height == y.height && !is_editor_software(x.software) &&
         !is_editor_software(y.software);
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

// JPEG before other stills before HEIC/AVIF; a file already printed before all, a damaged one
// (whose pixels are partly missing) after all.
auto decode_cost(const std::vector<FileRecord>& records, FileIndex i) {
  const FileRecord& r = records[i];
  const int format = r.format == Format::jpeg                               ? 0
                     : r.format == Format::heic || r.format == Format::avif ? 2
                                                                            : 1;
  return std::make_tuple(r.damaged ? 1 : 0, r.fingerprint.empty() ? 1 : 0, format,
                         std::uint64_t(r.width) * r.height, i);
}

HeaderVerdicts read_headers(const std::vector<FileRecord>& records, const std::vector<FilePair>& candidates,
                            PlanStats& stats) {
  HeaderVerdicts out;
  UnionFind same_content(records.size());
  for (const auto& [a, b] : candidates) {
    if (!needs_pixels(records[a], records[b])) {
      continue;
    }
    const bool damaged = records[a].damaged || records[b].damaged;
    const Settle s = settled_by_headers(records[a], records[b])        ? Settle::same
                     : aspects_differ(records[a], records[b])          ? Settle::refused
                     : !damaged                                        ? Settle::pixels
                     : damaged_copy_by_headers(records[a], records[b]) ? Settle::same_damaged
                                                                       : Settle::refused;
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

// What a pass measures of a file's pixels: a sample or a whole-picture fingerprint, kept on the
// record in `slot` (catalog form), computed through `compute`.
struct Measure {
  const char* what; // for the progress line
  std::string FileRecord::*slot;
  bool (*compute)(FileContent& content, const FileRecord& file, std::string& bytes, std::string& error);
};

bool sample_of(FileContent& content, const FileRecord& file, std::string& bytes, std::string& error) {
  Sample sample;
  if (!content.sample(file, sample, error)) {
    return false;
  }
  bytes = encode_sample(sample);
  return true;
}

bool fingerprint_of(FileContent& content, const FileRecord& file, std::string& bytes, std::string& error) {
  Fingerprint print;
  if (!content.fingerprint(file, print, error)) {
    return false;
  }
  bytes = encode_fingerprint(print);
  return true;
}

constexpr Measure k_sample{"sampling pictures", &FileRecord::sample, sample_of};
constexpr Measure k_fingerprint{"decoding whole pictures", &FileRecord::fingerprint, fingerprint_of};

// The measures some pairs need, in rounds: each file of a set stands in with the set's cheapest
// member not yet found undecodable.
class Measures {
public:
  Measures(std::size_t n, Measure measure)
      : m_measure(measure), m_printed_by(n), m_error(n), m_seconds(n, 0.0) {}

  // Measures every file `pairs` need (records' slots set); returns those computed.
  std::vector<FileIndex> make(std::vector<FileRecord>& records, const HeaderVerdicts& headers,
                              const std::vector<FilePair>& pairs, FileContent& content, Progress* progress) {
    std::vector<FileIndex> all;
    for (;;) {
      choose_stand_ins(headers);
      const std::vector<FileIndex> round = wanted(records, pairs);
      if (round.empty()) {
        break;
      }
      const ProgressPass pass(progress, m_measure.what, round.size());
      measure(records, round, content, pass);
      all.insert(all.end(), round.begin(), round.end());
    }
    return all;
  }

  FileIndex printed_by(FileIndex i) const { return m_printed_by[i]; }
  const std::string& error(FileIndex i) const { return m_error[i]; }
  double seconds(FileIndex i) const { return m_seconds[i]; }
  // The catalog form of the measure standing for file i (empty when it could not be made).
  const std::string& of(const std::vector<FileRecord>& records, FileIndex i) const {
    return records[m_printed_by[i]].*m_measure.slot;
  }

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

  std::vector<FileIndex> wanted(const std::vector<FileRecord>& records,
                                const std::vector<FilePair>& pairs) const {
    std::set<FileIndex> wanted;
    for (const auto& [a, b] : pairs) {
      wanted.insert(m_printed_by[a]);
      wanted.insert(m_printed_by[b]);
    }
    std::vector<FileIndex> out;
    for (const FileIndex i : wanted) {
      if ((records[i].*m_measure.slot).empty() && m_error[i].empty()) {
        out.push_back(i);
      }
    }
    return out;
  }

  void measure(std::vector<FileRecord>& records, const std::vector<FileIndex>& files, FileContent& content,
               const ProgressPass& pass) {
    tbb::parallel_for_each(files.begin(), files.end(), [&](FileIndex i) {
      const auto began = std::chrono::steady_clock::now();
      std::string error;
      std::string bytes;
      if (m_measure.compute(content, records[i], bytes, error)) {
        records[i].*m_measure.slot = std::move(bytes);
      }
      if ((records[i].*m_measure.slot).empty()) {
        m_error[i] = error.empty() ? "cannot decode" : error;
      }
      m_seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      pass.advance(1);
    });
  }

  Measure m_measure;
  std::vector<FileIndex> m_printed_by;
  std::vector<std::string>
      m_error;                   // why a file could not be measured; empty when it could (or was not tried)
  std::vector<double> m_seconds; // time spent measuring each file
};

// The figures of the files a pass measured: how many, the thread-seconds they took by format.
struct MeasureFigures {
  std::uint64_t& count;
  std::uint64_t& errors;
  std::uint64_t& heic;
  double& heic_seconds;
  std::uint64_t& jpeg;
  double& jpeg_seconds;
};

void count_measures(const std::vector<FileRecord>& records, const std::vector<FileIndex>& measured,
                    const Measures& measures, MeasureFigures figures) {
  for (const FileIndex i : measured) {
    if (records[i].format == Format::heic) {
      ++figures.heic;
      figures.heic_seconds += measures.seconds(i);
    } else if (records[i].format == Format::jpeg) {
      ++figures.jpeg;
      figures.jpeg_seconds += measures.seconds(i);
    }
    figures.errors += measures.error(i).empty() ? 0 : 1;
  }
  figures.count += measured.size();
}

std::string distance_text(double distance) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", distance);
  return buf;
}

// What the samples said of a still pair that needs pixels.
struct SampleJudgement {
  SampleVerdict verdict = SampleVerdict::undecided;
  double distance = -1;      // -1: no sample of one of them
  bool editor = false;       // `same`, but an editor wrote one of them: the whole pictures decide
  bool other_aspect = false; // `different` for the samples' aspect ratios
};

// The sample's band, scaled with --threshold: a stricter threshold than the default makes the
// sample stricter in proportion, a looser one looser (and never past refusing).
struct SampleBand {
  double same_below = k_sample_same_below;
  double different_above = k_sample_different_above;
};

SampleBand band_for(const PlanOptions& options) {
  const double scale = options.threshold / k_default_fingerprint_threshold;
  SampleBand band{k_sample_same_below * scale, k_sample_different_above};
  band.different_above = std::max(band.different_above, band.same_below);
  return band;
}

SampleJudgement judge_by_samples(const std::vector<FileRecord>& records, const Measures& samples,
                                 const SampleBand& band, FilePair pair) {
  Sample sa;
  Sample sb;
  SampleJudgement j;
  if (!decode_sample(samples.of(records, pair.first), sa) ||
      !decode_sample(samples.of(records, pair.second), sb)) {
    return j;
  }
  j.distance = sample_distance(sa, sb);
  j.other_aspect = !aspects_match(sa.aspect, sb.aspect);
  j.verdict = j.other_aspect                      ? SampleVerdict::different
              : j.distance < band.same_below      ? SampleVerdict::same
              : j.distance > band.different_above ? SampleVerdict::different
                                                  : SampleVerdict::undecided;
  const auto long_side = [&](FileIndex i) { return std::max(records[i].width, records[i].height); };
  if (j.verdict == SampleVerdict::different && aspects_match(sa.aspect, sb.aspect) &&
      std::min(long_side(pair.first), long_side(pair.second)) < k_sample_min_long_side) {
    j.verdict = SampleVerdict::undecided; // too few pixels per cell to refuse it
  }
  j.editor = j.verdict == SampleVerdict::same && (is_pixel_editor(records[pair.first].software) ||
                                                  is_pixel_editor(records[pair.second].software));
  if (j.editor) {
    j.verdict = SampleVerdict::undecided;
  }
  return j;
}

// ", the pixels of X read from its settled copy Y" for each file of a pair a stand-in spoke for.
std::string stand_in_note(const std::vector<FileRecord>& records, const Measures& measures, FilePair pair) {
  std::string out;
  for (const FileIndex i : {pair.first, pair.second}) {
    if (measures.printed_by(i) != i) {
      out += std::string(", the pixels of ") + std::string(leaf_of(records[i].path)) +
             " read from its settled copy " + std::string(leaf_of(records[measures.printed_by(i)].path));
    }
  }
  return out;
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

// What the whole pictures say of a still pair: agreed, with the distance and how; or not, with the
// distance where one was measured (-1 otherwise) and why.
struct PixelAnswer {
  bool agree = false;
  double distance = -1;
  std::string why;
};

// ", the sample (0.93) was in the band between clear answers", or why an editor's file was looked
// at whole.
std::string sample_note(const SampleJudgement& sampled) {
  if (sampled.editor) {
    return "; an editor wrote one of them, so the sample (" + distance_text(sampled.distance) +
           ") does not decide alone";
  }
  if (sampled.distance >= 0) {
    return "; the sample (" + distance_text(sampled.distance) + ") was in the band between clear answers";
  }
  return {};
}

// A still pair whose samples left it open, from the whole pictures: the fingerprints of the files
// standing in for each (or, with --full-compare, the pictures themselves).
PixelAnswer compare_pixels(const std::vector<FileRecord>& records, const Measures& prints,
                           const SampleJudgement& sampled, const PlanOptions& options, FileContent& content,
                           FilePair pair) {
  const FileRecord& x = records[pair.first];
  const FileRecord& y = records[pair.second];
  Fingerprint fx;
  Fingerprint fy;
  if (!decode_fingerprint(records[prints.printed_by(pair.first)].fingerprint, fx) ||
      !decode_fingerprint(records[prints.printed_by(pair.second)].fingerprint, fy)) {
    // Without pixels, equal content identifiers and equal instants settle it.
    if (x.content_id.empty() || x.content_id != y.content_id) {
      return {false, -1, "the pictures could not be decoded, and no content identifier joins them"};
    }
    return {true, 0, "same content identifier and instant (pixels not decodable)"};
  }
  if (!aspects_match(fx.aspect, fy.aspect)) {
    return {false, -1, "the pictures have other aspect ratios"};
  }
  char buf[96];
  if (options.full_compare) {
    std::string error;
    const double percent = content.full_compare(x, y, error);
    if (percent < 0) {
      return {false, -1, "the whole images could not be compared: " + error};
    }
    const bool agree = percent < options.full_threshold;
    std::snprintf(buf, sizeof buf, "whole images differ by %.2f%% (%s %.2f%%)", percent,
                  agree ? "under" : "not under", options.full_threshold);
    return {agree, percent, buf};
  }
  const double distance = fingerprint_distance(fx, fy);
  const bool agree = distance < options.threshold;
  std::snprintf(buf, sizeof buf, "from the whole picture: content distance %.2f (%s %.2f)", distance,
                agree ? "under" : "not under", options.threshold);
  return {agree, distance, buf + sample_note(sampled) + stand_in_note(records, prints, pair)};
}

std::string size_text(const FileRecord& r) {
  return std::to_string(r.width) + "\u00d7" + std::to_string(r.height);
}

// What the samples and the whole pictures found of one still pair.
struct PixelEvidence {
  const Measures& samples;
  const Measures& prints;
  const SampleJudgement& sampled;
  const SampleBand& band;
};

// A still pair that needed pixels, into `out`: agreed, or refused with what was measured.
void judge_pixel_pair(const std::vector<FileRecord>& records, const PixelEvidence& e,
                      const PlanOptions& options, FileContent& content, FilePair pair, ContentCheck& out) {
  const auto [a, b] = pair;
  const SampleJudgement& j = e.sampled;
  if (j.verdict == SampleVerdict::same) {
    out.agreeing.push_back({a, b, j.distance,
                            "from the sample: content distance " + distance_text(j.distance) +
                                " (same below " + distance_text(e.band.same_below) + ")" +
                                stand_in_note(records, e.samples, pair)});
    return;
  }
  if (j.verdict == SampleVerdict::different) {
    out.refused.push_back({a, b, j.distance, -1,
                           j.other_aspect ? "from the sample: the pictures have other aspect ratios"
                                          : "from the sample: content distance " + distance_text(j.distance) +
                                                " (different above " + distance_text(e.band.different_above) +
                                                ")" + stand_in_note(records, e.samples, pair)});
    return;
  }
  PixelAnswer whole = compare_pixels(records, e.prints, j, options, content, pair);
  if (whole.agree) {
    out.agreeing.push_back({a, b, whole.distance, std::move(whole.why)});
  } else {
    out.refused.push_back({a, b, j.distance, whole.distance, std::move(whole.why)});
  }
}

} // namespace

ContentCheck check_content(std::vector<FileRecord>& records, const std::vector<FilePair>& candidates,
                           const PlanOptions& options, FileContent& content, PlanStats& stats) {
  const HeaderVerdicts headers = read_headers(records, candidates, stats);
  std::vector<FilePair> pixel_pairs;
  for (const auto& [pair, s] : headers.settle) {
    if (s == Settle::pixels) {
      pixel_pairs.push_back(pair);
    }
  }
  // Samples first (not with --full-compare, which looks at every pixel anyway).
  Measures samples(records.size(), k_sample);
  const SampleBand band = band_for(options);
  std::map<FilePair, SampleJudgement> judged;
  std::vector<FilePair> open_pairs; // for the whole pictures
  std::vector<FileIndex> measured;
  if (!options.full_compare) {
    measured = samples.make(records, headers, pixel_pairs, content, options.progress);
    count_measures(records, measured, samples,
                   {stats.sampled, stats.sample_errors, stats.heic_samples, stats.heic_sample_seconds,
                    stats.jpeg_samples, stats.jpeg_sample_seconds});
  }
  for (const FilePair& pair : pixel_pairs) {
    const SampleJudgement j =
        options.full_compare ? SampleJudgement{} : judge_by_samples(records, samples, band, pair);
    judged[pair] = j;
    stats.pairs_sample_same += j.verdict == SampleVerdict::same ? 1 : 0;
    stats.pairs_sample_different += j.verdict == SampleVerdict::different ? 1 : 0;
    if (j.verdict == SampleVerdict::undecided) {
      open_pairs.push_back(pair);
      stats.pairs_in_band += j.distance >= 0 && !j.editor ? 1 : 0;
      stats.pairs_by_editor += j.editor ? 1 : 0;
    }
  }
  Measures prints(records.size(), k_fingerprint);
  const std::vector<FileIndex> printed = prints.make(records, headers, open_pairs, content, options.progress);
  count_measures(records, printed, prints,
                 {stats.fingerprinted, stats.fingerprint_errors, stats.heic_prints, stats.heic_seconds,
                  stats.jpeg_prints, stats.jpeg_seconds});

  ContentCheck out;
  for (const std::vector<FileIndex>* list : {&std::as_const(measured), &printed}) {
    for (const FileIndex i : *list) {
      if (!records[i].sample.empty() || !records[i].fingerprint.empty()) {
        out.printed.push_back(i);
      }
    }
  }
  std::sort(out.printed.begin(), out.printed.end());
  out.printed.erase(std::unique(out.printed.begin(), out.printed.end()), out.printed.end());
  for (const auto& [a, b] : candidates) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    if (x.kind == Kind::movie) {
      if (auto agreed = compare_movies(x, y, {a, b, 0, {}})) {
        out.agreeing.push_back(std::move(*agreed));
      }
    } else if (!needs_pixels(x, y)) {
      out.agreeing.push_back({a, b, 0, "a RAW file and an image of the same instant and device"});
    } else if (const Settle s = headers.settle.at({a, b}); s == Settle::same) {
      out.agreeing.push_back({a, b, 0, "same content identifier, instant and size, written by the camera"});
    } else if (s == Settle::same_damaged) {
      out.agreeing.push_back(
          {a, b, 0,
           "same instant to the subsecond, device and size (a damaged file: its pixels are "
           "partly missing, so they are not compared)"});
    } else if (s == Settle::refused) {
      out.refused.push_back(
          {a, b, -1, -1,
           aspects_differ(x, y)
               ? "other aspect ratios in the headers (" + size_text(x) + " and " + size_text(y) + ")"
               : "a damaged file whose subsecond, device or size differ from the other's (its "
                 "pixels are partly missing, so they are not compared)"});
    } else {
      judge_pixel_pair(records, {samples, prints, judged.at({a, b}), band}, options, content, {a, b}, out);
    }
  }
  return out;
}

} // namespace ipd
