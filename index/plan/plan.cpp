// The plan, as a list of passes:
//
//   records ─► 1 classify: media with a capture time / without / sidecars / other / not in view
//           ─► 2 exact copies: same size ─► same first 64 KiB ─► same hash of all bytes
//           ─► 3 candidate pairs of media: same kind, same instant (UTC when both have an
//                offset, else local; subseconds when both have them), same device where both
//                are known, content identifiers not different, not an edit against its original
//           ─► 4 content: still pairs with equal content identifiers and sizes from the camera
//                agree, and pairs whose headers show other aspect ratios do not, unread; the
//                rest compare fingerprints (32x32 grey, auto-rotated), computed in parallel
//                once per set of files settled together; a pair agrees when their distance is
//                under the threshold and the aspect ratios match; movies agree on duration and
//                dimensions
//           ─► 5 groups: agreeing pairs merge, closest first, and only when every pair across
//                the two groups agrees (so no chain can pull an edit in beside its original)
//           ─► 6 keeper by rank: format, pixels, camera metadata, oldest mtime, shortest path
//           ─► 7 companions: Live Photo movies (content id, else stem + 3 s), AAE/XMP sidecars
//           ─► 8 view paths: device/YYYY/YYYY-MM/YYYYMMDD_HHMMSS_stem.EXT, duplicates/ at the
//                keeper's path, unknown_time/<root>/..., other/<root>/...; ' (2)' on collisions
//
// Every pass is deterministic: ties break on paths, never on thread timing.
#include "index/plan/plan.hpp"

#include "index/core/hash.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/pixels/fingerprint.hpp"

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for_each.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <sys/stat.h>

namespace ipd {

namespace {

constexpr std::size_t k_head_bytes = 64 * 1024;
constexpr std::int64_t k_live_photo_seconds = 3;

// An edited render: Apple's IMG_E1234, or the "-edited"/"_edited" names of Google Photos and
// osxphotos. An edit is never a copy of its original.
bool is_edit_name(std::string_view stem) {
  const std::string s = lower_ascii(stem);
  if (s.size() > 5 && s.compare(0, 5, "img_e") == 0 && std::isdigit(static_cast<unsigned char>(s[5]))) {
    return true;
  }
  for (const char* marker : {"-edited", "_edited", " edited"}) {
    if (s.find(marker) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_editor_software(std::string_view software) {
  const std::string s = lower_ascii(software);
  static constexpr const char* k_editors[] = {
      "photoshop", "lightroom", "windows",  "microsoft", "photos", "gimp",      "picasa",     "google",
      "exiftool",  "snapseed",  "vsco",     "adobe",     "paint",  "darktable", "digikam",    "handbrake",
      "lavf",      "ffmpeg",    "magick",   "shotwell",  "acdsee", "capture",   "pixelmator", "affinity",
      "luminar",   "instagram", "whatsapp", "facebook",  "vips",   "preview",   "image"};
  return std::any_of(std::begin(k_editors), std::end(k_editors),
                     [&](const char* e) { return s.find(e) != std::string::npos; });
}

int format_rank(const FileRecord& r) {
  if (r.kind == Kind::movie) {
    return r.format == Format::mov                                                             ? 0
           : r.format == Format::mp4 || r.format == Format::m4v || r.format == Format::threegp ? 1
                                                                                               : 2;
  }
  if (is_raw(r.format)) {
    return 0;
  }
  if (r.format == Format::heic || r.format == Format::avif) {
    return 1;
  }
  return r.format == Format::jpeg ? 2 : 3;
}

int camera_score(const FileRecord& r) {
  int score = 0;
  score += r.apple_makernote ? 2 : 0;
  score += r.content_id.empty() ? 0 : 1;
  if (!r.software.empty()) {
    score += is_editor_software(r.software) ? -1 : 1;
  }
  return score;
}

// The ranking of DESIGN §6: true when a is the better copy.
bool better(const FileRecord& a, const FileRecord& b) {
  const int fa = format_rank(a);
  const int fb = format_rank(b);
  if (fa != fb) {
    return fa < fb;
  }
  const std::uint64_t pa = std::uint64_t(a.width) * a.height;
  const std::uint64_t pb = std::uint64_t(b.width) * b.height;
  if (pa != pb) {
    return pa > pb;
  }
  const int ca = camera_score(a);
  const int cb = camera_score(b);
  if (ca != cb) {
    return ca > cb;
  }
  if (a.mtime_ns != b.mtime_ns) {
    return a.mtime_ns < b.mtime_ns;
  }
  if (a.path.size() != b.path.size()) {
    return a.path.size() < b.path.size();
  }
  return a.path < b.path;
}

std::string format_label(const FileRecord& r) {
  std::string ext(true_extension(r.format));
  return ext.empty() ? std::string(format_name(r.format)) : ext;
}

// Why `keeper` beat `other`, in words.
std::string why_better(const FileRecord& keeper, const FileRecord& other) {
  if (format_rank(keeper) != format_rank(other)) {
    return "original format " + format_label(keeper) + " over " + format_label(other);
  }
  const std::uint64_t pk = std::uint64_t(keeper.width) * keeper.height;
  const std::uint64_t po = std::uint64_t(other.width) * other.height;
  if (pk != po) {
    return "more pixels (" + std::to_string(keeper.width) + "x" + std::to_string(keeper.height) + " over " +
           std::to_string(other.width) + "x" + std::to_string(other.height) + ")";
  }
  if (camera_score(keeper) != camera_score(other)) {
    return "camera-original metadata (Apple MakerNote, content id, camera software) over " +
           (other.software.empty() ? std::string("stripped metadata")
                                   : "software \"" + other.software + "\"");
  }
  if (keeper.mtime_ns != other.mtime_ns) {
    return "older file (downloaded first)";
  }
  return keeper.path.size() != other.path.size() ? "shorter path" : "path order";
}

std::int64_t utc_seconds(const CaptureTime& t) { return t.local - std::int64_t(t.offset_minutes) * 60; }

bool same_instant(const CaptureTime& a, const CaptureTime& b) {
  const bool seconds = a.has_offset && b.has_offset ? utc_seconds(a) == utc_seconds(b) : a.local == b.local;
  if (!seconds) {
    return false;
  }
  return a.subsec_digits == 0 || b.subsec_digits == 0 || a.subsec_nanos == b.subsec_nanos;
}

bool same_device(const FileRecord& a, const FileRecord& b) {
  const std::string da = lower_ascii(device_name(a.make, a.model));
  const std::string db = lower_ascii(device_name(b.make, b.model));
  return da.empty() || db.empty() || da == db;
}

struct Pair {
  std::size_t a = 0; // record indices, a < b
  std::size_t b = 0;
  double distance = 0; // content distance; 0 for pairs settled without pixels
  std::string why;     // how the content agreed
};

class UnionFind {
public:
  explicit UnionFind(std::size_t n) : m_parent(n) { std::iota(m_parent.begin(), m_parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (m_parent[x] != x) {
      m_parent[x] = m_parent[m_parent[x]];
      x = m_parent[x];
    }
    return x;
  }
  // Joins the sets; the smaller index stays the root, so roots are deterministic.
  void join(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) {
      m_parent[std::max(a, b)] = std::min(a, b);
    }
  }

private:
  std::vector<std::size_t> m_parent; // the parent of each element; a root is its own parent
};

// Maps files for reading; the plan never writes to them.
bool with_bytes(const FileRecord& r, std::string& error,
                const std::function<void(std::span<const std::uint8_t>)>& fn) {
  const int fd = open_input(r.path.c_str(), error);
  if (fd < 0) {
    return false;
  }
  FdGuard guard(fd);
  MappedFile file;
  if (!file.map(fd, r.size, error)) {
    return false;
  }
  fn(file.bytes());
  return true;
}

// Keeps names unique inside the view, comparing without case (views are browsed over Samba
// and on macOS too): `claim` returns `base + ext` or `base (N) + ext`.
class Names {
public:
  bool taken(const std::string& path) const { return m_used.count(lower_ascii(path)) > 0; }
  void take(const std::string& path) { m_used.insert(lower_ascii(path)); }
  // The first of dir/stem.ext, dir/stem (2).ext, ... that is free, claimed.
  std::string claim(const std::string& dir, const std::string& stem, const std::string& ext, int first = 1) {
    for (int n = first;; ++n) {
      std::string path =
          dir + "/" + stem + (n == 1 ? "" : " (" + std::to_string(n) + ")") + (ext.empty() ? "" : "." + ext);
      if (!taken(path)) {
        take(path);
        return path;
      }
    }
  }

private:
  std::set<std::string> m_used; // lowercased view paths already given out
};

} // namespace

std::string describe(const PlanOptions& options) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "threshold=%.3f full_compare=%d full_threshold=%.3f raw_sidecars=%d",
                options.threshold, options.full_compare ? 1 : 0, options.full_threshold,
                options.raw_sidecars ? 1 : 0);
  return buf;
}

Plan make_plan(std::vector<FileRecord>& records, const std::vector<std::string>& roots,
               const PlanOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Plan plan;
  const std::size_t n = records.size();
  plan.placements.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    plan.placements[i].source = records[i].path;
  }
  const unsigned jobs = options.jobs ? options.jobs : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control threads(tbb::global_control::max_allowed_parallelism, jobs);

  // 1. Classify.
  enum class Class { timed, untimed, sidecar, other, outside };
  std::vector<Class> cls(n);
  for (std::size_t i = 0; i < n; ++i) {
    const FileRecord& r = records[i];
    if (r.kind == Kind::symlink || r.kind == Kind::dir || !S_ISREG(r.mode)) {
      cls[i] = Class::outside;
    } else if (!r.error.empty()) {
      cls[i] = Class::other;
    } else if (r.kind == Kind::still || r.kind == Kind::movie) {
      cls[i] = r.capture.known() ? Class::timed : Class::untimed;
    } else if (r.kind == Kind::sidecar) {
      cls[i] = Class::sidecar;
    } else {
      cls[i] = Class::other;
    }
  }

  // 2. Exact copies among media and sidecars: same size, then same head, then same full hash.
  UnionFind copies(n);
  {
    // Hard links of one inode are one file: joined without reading, and hashed once.
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> first_link;
    std::map<std::uint64_t, std::vector<std::size_t>> by_size;
    for (std::size_t i = 0; i < n; ++i) {
      if ((cls[i] == Class::timed || cls[i] == Class::untimed || cls[i] == Class::sidecar) &&
          records[i].size > 0) {
        const auto [it, first] = first_link.emplace(std::make_pair(records[i].dev, records[i].ino), i);
        if (first) {
          by_size[records[i].size].push_back(i);
        } else {
          copies.join(it->second, i);
        }
      }
    }
    std::vector<std::size_t> need_hash;
    std::vector<std::uint64_t> head(n, 0);
    std::vector<std::size_t> same_size;
    for (auto& [size, members] : by_size) {
      if (members.size() > 1) {
        same_size.insert(same_size.end(), members.begin(), members.end());
      }
    }
    tbb::parallel_for_each(same_size.begin(), same_size.end(), [&](std::size_t i) {
      FileRecord& r = records[i];
      if (r.content_hash != 0) {
        return;
      }
      std::string error;
      with_bytes(r, error, [&](std::span<const std::uint8_t> bytes) {
        head[i] = content_hash(bytes.first(std::min(bytes.size(), k_head_bytes)));
      });
    });
    for (auto& [size, members] : by_size) {
      if (members.size() < 2) {
        continue;
      }
      // Files whose head differs from every other head of this size need no full hash.
      std::map<std::uint64_t, int> heads;
      for (auto i : members) {
        if (records[i].content_hash == 0 && head[i] != 0) {
          ++heads[head[i]];
        }
      }
      const bool any_hashed = std::any_of(members.begin(), members.end(),
                                          [&](std::size_t i) { return records[i].content_hash != 0; });
      for (auto i : members) {
        if (records[i].content_hash == 0 && head[i] != 0 && (heads[head[i]] > 1 || any_hashed)) {
          need_hash.push_back(i);
        }
      }
    }
    tbb::parallel_for_each(need_hash.begin(), need_hash.end(), [&](std::size_t i) {
      std::string error;
      with_bytes(records[i], error,
                 [&](std::span<const std::uint8_t> bytes) { records[i].content_hash = content_hash(bytes); });
    });
    plan.stats.hashed = need_hash.size();
    plan.updated = need_hash;
    for (auto& [size, members] : by_size) {
      std::map<std::uint64_t, std::size_t> first;
      for (auto i : members) {
        if (records[i].content_hash == 0) {
          continue;
        }
        auto [it, inserted] = first.emplace(records[i].content_hash, i);
        if (!inserted) {
          copies.join(it->second, i);
        }
      }
    }
  }
  // The best-ranked file of each set of byte copies stands for the set in the passes below.
  std::vector<std::size_t> rep(n);
  for (std::size_t i = 0; i < n; ++i) {
    rep[i] = i;
  }
  {
    std::map<std::size_t, std::size_t> best;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t root = copies.find(i);
      auto [it, inserted] = best.emplace(root, i);
      if (!inserted && better(records[i], records[it->second])) {
        it->second = i;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      rep[i] = best[copies.find(i)];
    }
  }

  // 3. Candidate pairs of timed media representatives.
  std::vector<std::size_t> reps;
  for (std::size_t i = 0; i < n; ++i) {
    if (cls[i] == Class::timed && rep[i] == i) {
      reps.push_back(i);
    }
  }
  auto metadata_agrees = [&](std::size_t a, std::size_t b, std::string& why_not) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    if (x.kind != y.kind) {
      why_not = "a still and a movie";
      return false;
    }
    if (!same_instant(x.capture, y.capture)) {
      why_not = "different capture instants";
      return false;
    }
    if (!same_device(x, y)) {
      why_not = "different devices";
      return false;
    }
    if (!x.content_id.empty() && !y.content_id.empty() && x.content_id != y.content_id) {
      why_not = "different content identifiers";
      return false;
    }
    if (is_edit_name(stem_of(leaf_of(x.path))) != is_edit_name(stem_of(leaf_of(y.path)))) {
      why_not = "an edit and its original";
      return false;
    }
    return true;
  };
  std::set<std::pair<std::size_t, std::size_t>> candidate_set;
  {
    std::map<std::pair<int, std::int64_t>, std::vector<std::size_t>> buckets;
    for (auto i : reps) {
      const CaptureTime& t = records[i].capture;
      const int kind = static_cast<int>(records[i].kind);
      buckets[{kind * 2, t.local}].push_back(i);
      if (t.has_offset) {
        buckets[{kind * 2 + 1, utc_seconds(t)}].push_back(i);
      }
    }
    for (auto& [key, members] : buckets) {
      for (std::size_t p = 0; p < members.size(); ++p) {
        for (std::size_t q = p + 1; q < members.size(); ++q) {
          std::string why_not;
          if (metadata_agrees(members[p], members[q], why_not)) {
            candidate_set.emplace(std::min(members[p], members[q]), std::max(members[p], members[q]));
          }
        }
      }
    }
  }

  // 4. Content. Still pairs are settled without pixels where the metadata decides:
  //    a. equal content identifiers and instants settle it (DESIGN §5) when both also show the
  //       same upright size and neither was written by an editor, which may keep the
  //       identifier while changing the pixels;
  //    b. upright aspect ratios that differ (from the headers) refuse it.
  //    Every other still pair compares fingerprints. Files settled together (a) share one
  //    fingerprint, taken from the one cheapest to decode: a HEIC converted to JPEG on transfer
  //    is printed from its JPEG.
  auto needs_pixels = [&](std::size_t a, std::size_t b) {
    return records[a].kind == Kind::still && !is_raw(records[a].format) && !is_raw(records[b].format);
  };
  auto settled_by_metadata = [&](std::size_t a, std::size_t b) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    return !x.content_id.empty() && x.content_id == y.content_id && x.width != 0 && x.width == y.width &&
           x.height == y.height && !is_editor_software(x.software) && !is_editor_software(y.software);
  };
  auto aspects_differ = [&](std::size_t a, std::size_t b) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    return x.width != 0 && x.height != 0 && y.width != 0 && y.height != 0 &&
           !aspects_match(static_cast<float>(x.width) / static_cast<float>(x.height),
                          static_cast<float>(y.width) / static_cast<float>(y.height));
  };
  // What each candidate still pair needs; `printed_by[i]` is the file whose fingerprint stands
  // for file i's content.
  enum class Settle : std::uint8_t { pixels, same, refused };
  std::map<std::pair<std::size_t, std::size_t>, Settle> settle;
  UnionFind same_content(n);
  for (const auto& [a, b] : candidate_set) {
    if (!needs_pixels(a, b)) {
      continue;
    }
    const Settle s = settled_by_metadata(a, b) ? Settle::same
                     : aspects_differ(a, b)    ? Settle::refused
                                               : Settle::pixels;
    settle[{a, b}] = s;
    if (s == Settle::same) {
      same_content.join(a, b);
      ++plan.stats.settled_by_metadata;
    } else if (s == Settle::refused) {
      ++plan.stats.refused_by_aspect;
    }
  }
  auto decode_cost = [&](std::size_t i) {
    const FileRecord& r = records[i];
    const int format = r.format == Format::jpeg                               ? 0
                       : r.format == Format::heic || r.format == Format::avif ? 2
                                                                              : 1;
    return std::make_tuple(r.fingerprint.empty() ? 1 : 0, format, std::uint64_t(r.width) * r.height, i);
  };
  // The files settled together, cheapest to decode first.
  std::map<std::size_t, std::vector<std::size_t>> settled_sets;
  for (const auto& [pair, s] : settle) {
    for (const std::size_t i : {pair.first, pair.second}) {
      settled_sets[same_content.find(i)].push_back(i);
    }
  }
  for (auto& [root, members] : settled_sets) {
    std::sort(members.begin(), members.end(),
              [&](std::size_t x, std::size_t y) { return decode_cost(x) < decode_cost(y); });
    members.erase(std::unique(members.begin(), members.end()), members.end());
  }
  std::vector<std::string> print_error(n);
  std::vector<double> print_seconds(n, 0.0);
  // Each file of a set stands in with the set's cheapest member not yet found undecodable.
  std::vector<std::size_t> printed_by(n);
  auto choose_stand_ins = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      printed_by[i] = i;
    }
    for (const auto& [root, members] : settled_sets) {
      const auto usable =
          std::find_if(members.begin(), members.end(), [&](std::size_t i) { return print_error[i].empty(); });
      for (const std::size_t i : members) {
        printed_by[i] = usable == members.end() ? i : *usable;
      }
    }
  };
  auto files_to_print = [&] {
    std::set<std::size_t> wanted;
    for (const auto& [pair, s] : settle) {
      if (s == Settle::pixels) {
        wanted.insert(printed_by[pair.first]);
        wanted.insert(printed_by[pair.second]);
      }
    }
    std::vector<std::size_t> out;
    for (auto i : wanted) {
      if (records[i].fingerprint.empty() && print_error[i].empty()) {
        out.push_back(i);
      }
    }
    return out;
  };
  auto print_all = [&](const std::vector<std::size_t>& files) {
    init_fingerprints();
    tbb::parallel_for_each(files.begin(), files.end(), [&](std::size_t i) {
      const auto began = std::chrono::steady_clock::now();
      std::string error;
      Fingerprint fp;
      const bool mapped = with_bytes(records[i], error, [&](std::span<const std::uint8_t> bytes) {
        if (compute_fingerprint(bytes, records[i].format, fp, error)) {
          records[i].fingerprint = encode_fingerprint(fp);
        }
      });
      if (!mapped || records[i].fingerprint.empty()) {
        print_error[i] = error.empty() ? "cannot decode" : error;
      }
      print_seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    });
  };
  // Rounds: a stand-in that cannot be decoded hands over to the next member of its set.
  std::vector<std::size_t> to_print;
  for (;;) {
    choose_stand_ins();
    const std::vector<std::size_t> round = files_to_print();
    if (round.empty()) {
      break;
    }
    print_all(round);
    to_print.insert(to_print.end(), round.begin(), round.end());
  }
  for (auto i : to_print) {
    if (records[i].format == Format::heic) {
      ++plan.stats.heic_prints;
      plan.stats.heic_seconds += print_seconds[i];
    } else if (records[i].format == Format::jpeg) {
      ++plan.stats.jpeg_prints;
      plan.stats.jpeg_seconds += print_seconds[i];
    }
  }
  plan.stats.fingerprinted = to_print.size();
  for (auto i : to_print) {
    if (!records[i].fingerprint.empty()) {
      plan.updated.push_back(i);
    }
  }
  std::sort(plan.updated.begin(), plan.updated.end());
  plan.updated.erase(std::unique(plan.updated.begin(), plan.updated.end()), plan.updated.end());
  plan.stats.fingerprint_errors = static_cast<std::uint64_t>(
      std::count_if(print_error.begin(), print_error.end(), [](const std::string& e) { return !e.empty(); }));

  std::vector<Pair> agreeing;
  for (const auto& [a, b] : candidate_set) {
    const FileRecord& x = records[a];
    const FileRecord& y = records[b];
    Pair pair{a, b, 0, {}};
    if (x.kind == Kind::movie) {
      const std::int64_t dx = x.duration_ms;
      const std::int64_t dy = y.duration_ms;
      const std::int64_t tolerance = std::max<std::int64_t>(100, std::max(dx, dy) / 100);
      const bool dims = (x.width == y.width && x.height == y.height) || x.width == 0 || y.width == 0;
      if (std::llabs(dx - dy) > tolerance || !dims) {
        continue;
      }
      pair.why = "same instant, device, duration and dimensions";
    } else if (!needs_pixels(a, b)) {
      pair.why = "a RAW file and an image of the same instant and device";
    } else if (settle.at({a, b}) == Settle::same) {
      pair.why = "same content identifier, instant and size, written by the camera";
    } else if (settle.at({a, b}) == Settle::refused) {
      continue;
    } else {
      const FileRecord& px = records[printed_by[a]];
      const FileRecord& py = records[printed_by[b]];
      Fingerprint fx;
      Fingerprint fy;
      const bool have = decode_fingerprint(px.fingerprint, fx) && decode_fingerprint(py.fingerprint, fy);
      if (!have) {
        // Without pixels, equal content identifiers and equal instants settle it.
        if (x.content_id.empty() || x.content_id != y.content_id) {
          continue;
        }
        pair.why = "same content identifier and instant (pixels not decodable)";
      } else if (!aspects_match(fx.aspect, fy.aspect)) {
        continue;
      } else if (options.full_compare) {
        double percent = -1;
        std::string error;
        with_bytes(x, error, [&](std::span<const std::uint8_t> bx) {
          with_bytes(y, error, [&](std::span<const std::uint8_t> by) {
            percent = full_compare_percent(bx, x.format, by, y.format, error);
          });
        });
        if (percent < 0 || percent >= options.full_threshold) {
          continue;
        }
        pair.distance = percent;
        char buf[96];
        std::snprintf(buf, sizeof buf, "whole images differ by %.2f%% (under %.2f%%)", percent,
                      options.full_threshold);
        pair.why = buf;
      } else {
        pair.distance = fingerprint_distance(fx, fy);
        if (pair.distance >= options.threshold) {
          continue;
        }
        char buf[96];
        std::snprintf(buf, sizeof buf, "content distance %.2f (under %.2f)", pair.distance,
                      options.threshold);
        pair.why = buf;
        for (const std::size_t i : {a, b}) {
          if (printed_by[i] != i) {
            pair.why += std::string(", the pixels of ") + std::string(leaf_of(records[i].path)) +
                        " read from its settled copy " + std::string(leaf_of(records[printed_by[i]].path));
          }
        }
      }
    }
    agreeing.push_back(std::move(pair));
  }

  // 5. Groups: closest pairs first; two groups merge only when every pair across them agrees.
  std::sort(agreeing.begin(), agreeing.end(), [](const Pair& p, const Pair& q) {
    return std::tie(p.distance, p.a, p.b) < std::tie(q.distance, q.a, q.b);
  });
  std::set<std::pair<std::size_t, std::size_t>> agree_set;
  std::map<std::pair<std::size_t, std::size_t>, const Pair*> pair_of;
  for (const auto& p : agreeing) {
    agree_set.emplace(p.a, p.b);
    pair_of[{p.a, p.b}] = &p;
  }
  UnionFind groups(n);
  std::map<std::size_t, std::vector<std::size_t>> members_of; // root -> representatives
  for (auto i : reps) {
    members_of[i] = {i};
  }
  for (const auto& p : agreeing) {
    const std::size_t ra = groups.find(p.a);
    const std::size_t rb = groups.find(p.b);
    if (ra == rb) {
      continue;
    }
    bool all = true;
    for (auto x : members_of[ra]) {
      for (auto y : members_of[rb]) {
        all = all && agree_set.count({std::min(x, y), std::max(x, y)}) > 0;
      }
    }
    if (!all) {
      continue;
    }
    groups.join(ra, rb);
    const std::size_t root = groups.find(ra);
    const std::size_t gone = root == ra ? rb : ra;
    auto& kept = members_of[root];
    kept.insert(kept.end(), members_of[gone].begin(), members_of[gone].end());
    members_of.erase(gone);
  }

  // 6. Keepers. A capture is the union of its representatives' byte-copy sets.
  struct Capture {
    std::vector<std::size_t> files; // every file, best first
    std::uint32_t number = 0;
  };
  std::vector<Capture> captures;
  std::vector<std::size_t> capture_of(n, SIZE_MAX);
  {
    std::map<std::size_t, std::vector<std::size_t>> by_group;
    for (std::size_t i = 0; i < n; ++i) {
      if (cls[i] == Class::timed) {
        by_group[groups.find(rep[i])].push_back(i);
      }
    }
    for (auto& [root, files] : by_group) {
      std::sort(files.begin(), files.end(),
                [&](std::size_t a, std::size_t b) { return better(records[a], records[b]); });
      Capture c;
      c.files = std::move(files);
      captures.push_back(std::move(c));
    }
    std::sort(captures.begin(), captures.end(), [&](const Capture& a, const Capture& b) {
      return records[a.files[0]].path < records[b.files[0]].path;
    });
    std::uint32_t number = 0;
    for (std::size_t c = 0; c < captures.size(); ++c) {
      captures[c].number = ++number;
      for (auto i : captures[c].files) {
        capture_of[i] = c;
      }
      plan.stats.groups += captures[c].files.size() > 1 ? 1 : 0;
    }
  }
  // How file i came to be in the same capture as the keeper k.
  auto how_same = [&](std::size_t i, std::size_t k) -> std::string {
    if (copies.find(i) == copies.find(k)) {
      return "byte-identical copy";
    }
    const std::size_t a = std::min(rep[i], rep[k]);
    const std::size_t b = std::max(rep[i], rep[k]);
    if (auto it = pair_of.find({a, b}); it != pair_of.end()) {
      return "same capture: " + it->second->why;
    }
    return "same capture (through another copy of it)";
  };

  // 7a. Live Photo movies: a movie capture becomes the companion of one still capture.
  std::vector<std::size_t> companion_of(captures.size(), SIZE_MAX); // movie capture -> still capture
  std::vector<std::size_t> movie_of(captures.size(), SIZE_MAX);     // still capture -> movie capture
  std::vector<std::string> live_reason(captures.size());
  {
    std::map<std::string, std::vector<std::size_t>> stills_by_id;
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> stills_by_stem;
    for (std::size_t c = 0; c < captures.size(); ++c) {
      const FileRecord& k = records[captures[c].files[0]];
      if (k.kind != Kind::still) {
        continue;
      }
      std::set<std::string> ids;
      for (auto i : captures[c].files) {
        if (!records[i].content_id.empty()) {
          ids.insert(records[i].content_id);
        }
        stills_by_stem[{std::string(parent_of(records[i].path)),
                        lower_ascii(stem_of(leaf_of(records[i].path)))}]
            .push_back(c);
      }
      for (const auto& id : ids) {
        stills_by_id[id].push_back(c);
      }
    }
    // Prefer the still that is not an edit, then the better keeper.
    auto pick = [&](const std::vector<std::size_t>& options_) {
      std::size_t best = SIZE_MAX;
      for (auto c : options_) {
        if (movie_of[c] != SIZE_MAX) {
          continue;
        }
        if (best == SIZE_MAX) {
          best = c;
          continue;
        }
        const FileRecord& x = records[captures[c].files[0]];
        const FileRecord& y = records[captures[best].files[0]];
        const bool ex = is_edit_name(stem_of(leaf_of(x.path)));
        const bool ey = is_edit_name(stem_of(leaf_of(y.path)));
        if (ex != ey ? !ex : better(x, y)) {
          best = c;
        }
      }
      return best;
    };
    for (std::size_t c = 0; c < captures.size(); ++c) {
      const FileRecord& movie = records[captures[c].files[0]];
      if (movie.kind != Kind::movie) {
        continue;
      }
      std::set<std::size_t> by_id;
      for (auto i : captures[c].files) {
        if (auto it = stills_by_id.find(records[i].content_id);
            !records[i].content_id.empty() && it != stills_by_id.end()) {
          by_id.insert(it->second.begin(), it->second.end());
        }
      }
      std::size_t still = pick(std::vector<std::size_t>(by_id.begin(), by_id.end()));
      std::string why = "Live Photo movie: same content identifier as its still";
      if (still == SIZE_MAX) {
        std::set<std::size_t> by_stem;
        for (auto i : captures[c].files) {
          const auto key = std::make_pair(std::string(parent_of(records[i].path)),
                                          lower_ascii(stem_of(leaf_of(records[i].path))));
          if (auto it = stills_by_stem.find(key); it != stills_by_stem.end()) {
            for (auto s : it->second) {
              const CaptureTime& ts = records[captures[s].files[0]].capture;
              const CaptureTime& tm = records[i].capture;
              const std::int64_t diff =
                  ts.has_offset && tm.has_offset ? utc_seconds(ts) - utc_seconds(tm) : ts.local - tm.local;
              if (std::llabs(diff) <= k_live_photo_seconds) {
                by_stem.insert(s);
              }
            }
          }
        }
        still = pick(std::vector<std::size_t>(by_stem.begin(), by_stem.end()));
        why = "Live Photo movie: same name as its still, in the same folder, within 3 s";
      }
      if (still != SIZE_MAX) {
        companion_of[c] = still;
        movie_of[still] = c;
        live_reason[c] = why;
      }
    }
  }

  // 8a. View paths of captures: keepers, raw-sidecars, Live Photo movies, duplicates.
  Names names;
  names.take("README.txt");
  std::vector<std::string> root_label(roots.size());
  {
    std::set<std::string> used;
    for (std::size_t r = 0; r < roots.size(); ++r) {
      std::string base = roots[r] == "/" ? "root" : sanitize_name(leaf_of(roots[r]));
      std::string label = base;
      for (int k = 2; used.count(lower_ascii(label)); ++k) {
        label = base + " (" + std::to_string(k) + ")";
      }
      used.insert(lower_ascii(label));
      root_label[r] = label;
    }
  }
  auto mirrored = [&](const std::string& top, std::size_t i) {
    const FileRecord& r = records[i];
    const std::string root = r.root < roots.size() ? roots[r.root] : std::string("/");
    const std::string label = r.root < root_label.size() ? root_label[r.root] : std::string("root");
    return top + "/" + label + "/" + relative_to(r.path, root);
  };
  auto ext_for = [&](const FileRecord& r) {
    std::string ext(true_extension(r.format));
    return ext.empty() ? sanitize_name(ext_of(leaf_of(r.path)), 16) : ext;
  };

  struct Family {
    std::size_t capture;
    std::string dir;  // view folder of the keeper
    std::string stem; // view stem of the keeper, after collisions
  };
  std::vector<Family> families;
  for (std::size_t c = 0; c < captures.size(); ++c) {
    if (companion_of[c] != SIZE_MAX) {
      continue; // placed with its still
    }
    const FileRecord& k = records[captures[c].files[0]];
    std::string device = sanitize_name(device_name(k.make, k.model));
    if (device_name(k.make, k.model).empty()) {
      device = "Unknown device";
    }
    // A device may not take the name of a folder the view reserves.
    for (const char* reserved : {"duplicates", "unknown_time", "other", "readme.txt"}) {
      if (lower_ascii(device) == reserved) {
        device += " (device)";
      }
    }
    const CivilTime t = civil_time(k.capture.local);
    char folder[32];
    std::snprintf(folder, sizeof folder, "%04d/%04d-%02u", t.year, t.year, t.month);
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%04d%02u%02u_%02d%02d%02d", t.year, t.month, t.day, t.hour,
                  t.minute, t.second);
    families.push_back(
        {c, device + "/" + folder, std::string(prefix) + "_" + sanitize_name(stem_of(leaf_of(k.path)))});
  }
  std::sort(families.begin(), families.end(), [&](const Family& a, const Family& b) {
    return std::tie(a.dir, a.stem, records[captures[a.capture].files[0]].path) <
           std::tie(b.dir, b.stem, records[captures[b.capture].files[0]].path);
  });
  // A family's stem is free when no file of another family starts with it.
  std::set<std::string> stems_used;
  for (auto& f : families) {
    std::string stem = f.stem;
    for (int k = 2; stems_used.count(lower_ascii(f.dir + "/" + stem)); ++k) {
      stem = f.stem + " (" + std::to_string(k) + ")";
    }
    stems_used.insert(lower_ascii(f.dir + "/" + stem));
    f.stem = stem;
  }

  struct SidecarSlot {
    std::string view;   // the companion's view path
    std::size_t keeper; // the media it accompanies
  };
  std::map<std::pair<std::size_t, std::string>, SidecarSlot> sidecar_slots; // (capture, type) -> companion
  std::vector<std::string> view_stem_of(n); // for media placed in the tree: dir/stem of their family

  auto place_duplicates = [&](const std::vector<std::size_t>& files, std::size_t keeper,
                              const std::string& anchor_dir, const std::string& anchor_stem, Role keeper_role,
                              const std::string& keeper_why) {
    int next = 2;
    for (auto i : files) {
      if (i == keeper) {
        continue;
      }
      Placement& p = plan.placements[i];
      p.role = Role::duplicate;
      p.keeper = records[keeper].path;
      std::string path;
      do {
        path = "duplicates/" + anchor_dir + "/" + anchor_stem + " (" + std::to_string(next++) + ")." +
               ext_for(records[i]);
      } while (names.taken(path));
      names.take(path);
      p.view = path;
      const std::string same = how_same(i, keeper);
      p.reason = "duplicate of " + records[keeper].path + " (" + same +
                 "; kept: " + why_better(records[keeper], records[i]) + ")";
      p.rules = "same capture as the " + std::string(role_name(keeper_role)) + ": " + same + "\n" +
                keeper_why + "\nkept copy wins on: " + why_better(records[keeper], records[i]);
    }
  };

  for (const auto& f : families) {
    const Capture& cap = captures[f.capture];
    const std::size_t keeper = cap.files[0];
    const FileRecord& k = records[keeper];
    const std::string capture_text = format_iso8601(k.capture);
    const std::string device = device_name(k.make, k.model);
    std::string keeper_why = "capture " + capture_text + (device.empty() ? std::string() : ", " + device) +
                             "; " + std::to_string(cap.files.size()) + " file(s) of this capture";
    Placement& kp = plan.placements[keeper];
    kp.role = Role::keeper;
    kp.view = names.claim(f.dir, f.stem, ext_for(k));
    kp.group = cap.number;
    kp.reason = cap.files.size() == 1 ? "the only file of this capture"
                                      : "keeper of " + std::to_string(cap.files.size()) +
                                            " files of this capture: " + why_better(k, records[cap.files[1]]);
    kp.rules = keeper_why + "\nrank: format > pixels > camera metadata > oldest mtime > shortest path";
    view_stem_of[keeper] = f.dir + "/" + f.stem;

    // RAW siblings: JPG/HEIC of the same capture stay beside the DNG, one per format.
    std::vector<std::size_t> rest;
    std::set<Format> sidecar_formats;
    for (std::size_t m = 1; m < cap.files.size(); ++m) {
      const std::size_t i = cap.files[m];
      const FileRecord& r = records[i];
      if (options.raw_sidecars && is_raw(k.format) && !is_raw(r.format) &&
          copies.find(i) != copies.find(keeper) && sidecar_formats.insert(r.format).second) {
        Placement& p = plan.placements[i];
        p.role = Role::raw_sidecar;
        p.keeper = k.path;
        p.view = names.claim(f.dir, f.stem, ext_for(r));
        p.reason = "image beside its RAW file " + k.path;
        p.rules = keeper_why + "\n" + how_same(i, keeper) + "\n--no-raw-sidecars makes it a duplicate";
        view_stem_of[i] = f.dir + "/" + f.stem;
      } else {
        rest.push_back(i);
      }
    }
    for (auto i : rest) {
      plan.placements[i].group = cap.number;
    }
    rest.insert(rest.begin(), keeper);
    place_duplicates(rest, keeper, f.dir, f.stem, Role::keeper, keeper_why);
    for (auto i : cap.files) {
      plan.placements[i].group = cap.number;
      if (view_stem_of[i].empty()) {
        view_stem_of[i] = f.dir + "/" + f.stem;
      }
    }

    // The Live Photo movie and its copies.
    if (const std::size_t mc = movie_of[f.capture]; mc != SIZE_MAX) {
      const Capture& movie = captures[mc];
      const std::size_t mk = movie.files[0];
      Placement& mp = plan.placements[mk];
      mp.role = Role::companion;
      mp.keeper = k.path;
      mp.view = names.claim(f.dir, f.stem, ext_for(records[mk]));
      mp.group = cap.number;
      mp.reason = live_reason[mc] + " " + k.path;
      mp.rules = live_reason[mc] + "\n" + keeper_why;
      view_stem_of[mk] = f.dir + "/" + f.stem;
      place_duplicates(movie.files, mk, f.dir, f.stem, Role::companion, live_reason[mc]);
      for (auto i : movie.files) {
        plan.placements[i].group = cap.number;
        view_stem_of[i] = f.dir + "/" + f.stem;
      }
    }
  }

  // 8b. Unknown-time media: byte copies are duplicates of the best one; the rest stand alone.
  for (std::size_t i = 0; i < n; ++i) {
    if (cls[i] != Class::untimed || rep[i] != i) {
      continue;
    }
    Placement& p = plan.placements[i];
    p.role = Role::unknown_time;
    p.view = mirrored("unknown_time", i);
    names.take(p.view);
    p.reason = "no capture time in the file (the file date is not trusted)";
    p.rules = "no EXIF DateTimeOriginal, QuickTime creation date or XMP date was found";
  }
  {
    std::map<std::size_t, std::vector<std::size_t>> sets; // representative -> its byte copies
    for (std::size_t i = 0; i < n; ++i) {
      if (cls[i] == Class::untimed) {
        sets[rep[i]].push_back(i);
      }
    }
    for (auto& [i, set] : sets) {
      if (set.size() < 2) {
        continue;
      }
      std::sort(set.begin(), set.end(),
                [&](std::size_t a, std::size_t b) { return better(records[a], records[b]); });
      const std::string& view = plan.placements[i].view;
      place_duplicates(set, i, std::string(parent_of(view)), std::string(stem_of(leaf_of(view))),
                       Role::unknown_time, "kept in unknown_time/: no capture time");
    }
  }

  // 7b. Sidecars (AAE, XMP) follow the media file they belong to.
  {
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> media_by_stem;
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> media_by_name;
    for (std::size_t i = 0; i < n; ++i) {
      if (cls[i] == Class::timed || cls[i] == Class::untimed) {
        const std::string dir(parent_of(records[i].path));
        media_by_stem[{dir, lower_ascii(stem_of(leaf_of(records[i].path)))}].push_back(i);
        media_by_name[{dir, lower_ascii(leaf_of(records[i].path))}].push_back(i);
      }
    }
    struct Found {
      std::size_t sidecar;
      std::size_t media;
      std::string type; // "aae", "aae-o", "xmp"
    };
    std::vector<Found> found;
    for (std::size_t i = 0; i < n; ++i) {
      if (cls[i] != Class::sidecar) {
        continue;
      }
      const std::string dir(parent_of(records[i].path));
      const std::string name = lower_ascii(leaf_of(records[i].path));
      std::string stem(stem_of(name));
      std::string type = records[i].format == Format::xmp ? "xmp" : "aae";
      std::vector<std::size_t> media;
      if (auto it = media_by_name.find({dir, stem});
          records[i].format == Format::xmp && it != media_by_name.end()) {
        media = it->second; // name.ext.xmp
      }
      // IMG_O1234.AAE (the camera's own adjustments) belongs to IMG_1234.
      if (const auto o = stem.rfind("img_o"); media.empty() && type == "aae" && o != std::string::npos &&
                                              o + 5 < stem.size() &&
                                              std::isdigit(static_cast<unsigned char>(stem[o + 5]))) {
        stem.erase(o + 4, 1);
        type = "aae-o";
      }
      if (media.empty()) {
        if (auto it = media_by_stem.find({dir, stem}); it != media_by_stem.end()) {
          media = it->second;
        }
      }
      if (media.empty()) {
        continue;
      }
      // The still over the movie, then the better copy.
      std::sort(media.begin(), media.end(), [&](std::size_t a, std::size_t b) {
        if (records[a].kind != records[b].kind) {
          return records[a].kind == Kind::still;
        }
        return better(records[a], records[b]);
      });
      found.push_back({i, media[0], type});
    }
    // Sidecars of kept files first, so that a keeper's own sidecar is its companion.
    auto kept_first = [&](const Found& f) {
      const Role r = plan.placements[f.media].role;
      return r == Role::keeper || r == Role::unknown_time     ? 0
             : r == Role::raw_sidecar || r == Role::companion ? 1
                                                              : 2;
    };
    std::stable_sort(found.begin(), found.end(),
                     [&](const Found& a, const Found& b) { return kept_first(a) < kept_first(b); });
    for (const auto& f : found) {
      Placement& p = plan.placements[f.sidecar];
      const Placement& m = plan.placements[f.media];
      const FileRecord& s = records[f.sidecar];
      const std::string sidecar_ext = sanitize_name(ext_of(leaf_of(s.path)), 16);
      p.group = m.group;
      if (capture_of[f.media] == SIZE_MAX) {
        // Beside an unknown-time file (or one of its byte copies), mirrored like it.
        p.role = Role::companion;
        p.keeper = records[f.media].path;
        p.view = mirrored("unknown_time", f.sidecar);
        names.take(p.view);
        p.reason = "sidecar of " + records[f.media].path;
        p.rules = "same folder and name as its media file";
        continue;
      }
      const std::size_t c = capture_of[f.media];
      const std::size_t keeper = captures[c].files[0];
      const std::string& stem_path = view_stem_of[keeper];
      const std::string dir(parent_of(stem_path));
      const std::string stem(leaf_of(stem_path));
      auto slot = sidecar_slots.find({c, f.type});
      if (slot == sidecar_slots.end()) {
        p.role = Role::companion;
        p.keeper = records[keeper].path;
        if (f.type == "xmp" &&
            lower_ascii(stem_of(leaf_of(s.path))) == lower_ascii(leaf_of(records[f.media].path))) {
          p.view = names.claim(dir, std::string(leaf_of(plan.placements[keeper].view)), sidecar_ext);
        } else if (f.type == "aae-o") {
          p.view = names.claim(dir, stem.substr(0, 15) + "_" + sanitize_name(stem_of(leaf_of(s.path))),
                               sidecar_ext);
        } else {
          p.view = names.claim(dir, stem, sidecar_ext);
        }
        p.reason = "sidecar of " + records[keeper].path +
                   (f.media == keeper ? std::string() : " (it came with " + records[f.media].path + ")");
        p.rules =
            "same folder and name as " + records[f.media].path + "\nfollows the kept copy of its capture";
        sidecar_slots[{c, f.type}] = {p.view, keeper};
      } else {
        const std::string& anchor = slot->second.view;
        std::string path;
        for (int k = 2; path.empty() || names.taken(path); ++k) {
          path = "duplicates/" + std::string(parent_of(anchor)) + "/" +
                 std::string(stem_of(leaf_of(anchor))) + " (" + std::to_string(k) + ")." + sidecar_ext;
        }
        names.take(path);
        p.role = Role::duplicate;
        p.keeper = records[keeper].path;
        p.view = path;
        p.reason =
            "sidecar of " + records[f.media].path + ", a copy of a capture whose kept copy has its own";
        p.rules =
            "same folder and name as " + records[f.media].path + "\nthe keeper already has this sidecar";
      }
    }
  }

  // 8c. Everything else: other/, or outside the view.
  for (std::size_t i = 0; i < n; ++i) {
    Placement& p = plan.placements[i];
    if (!p.view.empty()) {
      continue;
    }
    const FileRecord& r = records[i];
    if (cls[i] == Class::outside) {
      p.role = Role::other;
      p.reason = r.kind == Kind::symlink
                     ? "symbolic link (recorded, not followed): not in the view"
                     : "not a regular file" + (r.error.empty() ? std::string() : ": " + r.error);
      p.rules = p.reason;
      continue;
    }
    p.role = Role::other;
    p.view = mirrored("other", i);
    names.take(p.view);
    if (!r.error.empty()) {
      p.reason = "could not be read: " + r.error;
    } else if (cls[i] == Class::sidecar) {
      p.reason = "sidecar whose photo or video is not among the inputs";
    } else {
      p.reason = "not a photo or video";
    }
    p.rules = p.reason;
  }

  // README.txt
  {
    std::map<Role, std::uint64_t> counts;
    std::vector<std::size_t> unreadable;
    for (std::size_t i = 0; i < n; ++i) {
      if (!plan.placements[i].view.empty()) {
        ++counts[plan.placements[i].role];
      }
      if (!records[i].error.empty()) {
        unreadable.push_back(i);
      }
    }
    std::string& t = plan.readme;
    t +=
        "This folder is the curated view of your photo and video library, made by iphone-photo-dedup.\n"
        "Your input folders were not changed in any way.\n\n"
        "  <Device>/YYYY/YYYY-MM/   one file per capture, in the format it was captured in (the keeper),\n"
        "                           named YYYYMMDD_HHMMSS_<original name>, with its Live Photo movie,\n"
        "                           its .AAE/.XMP sidecars and, beside a RAW file, its JPG/HEIC\n"
        "  Unknown device/          media with a capture time but no camera make or model\n"
        "  duplicates/              every other copy of a capture, at its keeper's path: safe to delete\n"
        "  unknown_time/<folder>/   media with no capture time inside the file: review by hand\n"
        "  other/<folder>/          files that are not photos or videos, and files that could not be read\n\n"
        "Counts:\n";
    for (Role role : {Role::keeper, Role::companion, Role::raw_sidecar, Role::duplicate, Role::unknown_time,
                      Role::other}) {
      t += "  " + std::string(role_name(role)) + ": " + std::to_string(counts[role]) + "\n";
    }
    t += "  captures with more than one file: " + std::to_string(plan.stats.groups) + "\n";
    t += "\nFiles that could not be read (" + std::to_string(unreadable.size()) + "):\n";
    for (auto i : unreadable) {
      t += "  " + records[i].path + ": " + records[i].error + "\n";
    }
    t += "\nAsk `iphone-photo-dedup explain PATH` why any file is where it is.\n";
  }
  plan.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return plan;
}

} // namespace ipd
