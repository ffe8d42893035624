// Pass 7: Live Photo movies. A movie capture becomes the companion of one still capture: the
// one with its content identifier, else the one of the same name in the same folder within 3 s.
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <map>
#include <set>

namespace ipd {

namespace {

constexpr std::int64_t k_live_photo_seconds = 3;

using FolderStem = std::pair<std::string, std::string>; // the folder and the lowercased stem

FolderStem folder_stem(const FileRecord& r) {
  return {std::string(parent_of(r.path)), lower_ascii(stem_of(leaf_of(r.path)))};
}

std::int64_t seconds_apart(const CaptureTime& a, const CaptureTime& b) {
  auto utc = [](const CaptureTime& t) { return t.local - std::int64_t(t.offset_minutes) * 60; };
  return a.has_offset && b.has_offset ? utc(a) - utc(b) : a.local - b.local;
}

// The still captures by every content identifier and by every folder and stem of their files.
struct StillIndex {
  std::map<std::string, std::vector<std::size_t>> by_id;
  std::map<FolderStem, std::vector<std::size_t>> by_stem;
};

StillIndex index_stills(const std::vector<FileRecord>& records, const Captures& captures) {
  StillIndex out;
  for (std::size_t c = 0; c < captures.list.size(); ++c) {
    if (records[captures.list[c].files[0]].kind != Kind::still) {
      continue;
    }
    std::set<std::string> ids;
    for (const FileIndex i : captures.list[c].files) {
      if (!records[i].content_id.empty()) {
        ids.insert(records[i].content_id);
      }
      out.by_stem[folder_stem(records[i])].push_back(c);
    }
    for (const auto& id : ids) {
      out.by_id[id].push_back(c);
    }
  }
  return out;
}

// Of the still captures not yet paired, the one that is not an edit, then the better keeper.
std::size_t pick_still(const std::vector<FileRecord>& records, const Captures& captures,
                       const LivePhotos& live, const std::set<std::size_t>& options) {
  std::size_t best = k_none;
  for (const std::size_t c : options) {
    if (live.movie_of[c] != k_none) {
      continue;
    }
    if (best == k_none) {
      best = c;
      continue;
    }
    const FileRecord& x = records[captures.list[c].files[0]];
    const FileRecord& y = records[captures.list[best].files[0]];
    const bool ex = is_edit_name(stem_of(leaf_of(x.path)));
    const bool ey = is_edit_name(stem_of(leaf_of(y.path)));
    if (ex != ey ? !ex : better(x, y)) {
      best = c;
    }
  }
  return best;
}

std::set<std::size_t> stills_by_id(const std::vector<FileRecord>& records, const Capture& movie,
                                   const StillIndex& stills) {
  std::set<std::size_t> out;
  for (const FileIndex i : movie.files) {
    if (const auto it = stills.by_id.find(records[i].content_id);
        !records[i].content_id.empty() && it != stills.by_id.end()) {
      out.insert(it->second.begin(), it->second.end());
    }
  }
  return out;
}

std::set<std::size_t> stills_by_stem(const std::vector<FileRecord>& records, const Captures& captures,
                                     const Capture& movie, const StillIndex& stills) {
  std::set<std::size_t> out;
  for (const FileIndex i : movie.files) {
    const auto it = stills.by_stem.find(folder_stem(records[i]));
    if (it == stills.by_stem.end()) {
      continue;
    }
    for (const std::size_t s : it->second) {
      if (std::llabs(seconds_apart(records[captures.list[s].files[0]].capture, records[i].capture)) <=
          k_live_photo_seconds) {
        out.insert(s);
      }
    }
  }
  return out;
}

} // namespace

LivePhotos pair_live_photos(const std::vector<FileRecord>& records, const Captures& captures) {
  const std::size_t n = captures.list.size();
  LivePhotos live{std::vector<std::size_t>(n, k_none), std::vector<std::size_t>(n, k_none),
                  std::vector<std::string>(n)};
  const StillIndex stills = index_stills(records, captures);
  for (std::size_t c = 0; c < n; ++c) {
    const Capture& movie = captures.list[c];
    if (records[movie.files[0]].kind != Kind::movie) {
      continue;
    }
    std::size_t still = pick_still(records, captures, live, stills_by_id(records, movie, stills));
    std::string why = "Live Photo movie: same content identifier as its still";
    if (still == k_none) {
      still = pick_still(records, captures, live, stills_by_stem(records, captures, movie, stills));
      why = "Live Photo movie: same name as its still, in the same folder, within 3 s";
    }
    if (still != k_none) {
      live.still_of[c] = still;
      live.movie_of[still] = c;
      live.why[c] = why;
    }
  }
  return live;
}

} // namespace ipd
