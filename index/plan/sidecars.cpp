// Pass 10: AAE and XMP sidecars follow the media file they belong to (same folder and name:
// IMG_1234.AAE, IMG_O1234.AAE, IMG_1234.XMP or IMG_1234.HEIC.xmp), and through it the kept copy
// of its capture. It runs after the media are placed because it reads their roles.
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

namespace ipd {

namespace {

using FolderName = std::pair<std::string, std::string>; // folder, lowercased name or stem

struct MediaIndex {
  std::map<FolderName, std::vector<FileIndex>> by_stem;
  std::map<FolderName, std::vector<FileIndex>> by_name;
};

MediaIndex index_media(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes) {
  MediaIndex out;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] == FileClass::timed || classes[i] == FileClass::untimed) {
      const std::string dir(parent_of(records[i].path));
      out.by_stem[{dir, lower_ascii(stem_of(leaf_of(records[i].path)))}].push_back(i);
      out.by_name[{dir, lower_ascii(leaf_of(records[i].path))}].push_back(i);
    }
  }
  return out;
}

// A sidecar and the media file it belongs to.
struct Found {
  FileIndex sidecar = 0;
  FileIndex media = 0;
  std::string type; // "aae", "aae-o" (IMG_O1234.AAE, the camera's own adjustments), "xmp"
};

// The media file a sidecar belongs to: the still over the movie, then the better copy.
std::optional<Found> find_media(const std::vector<FileRecord>& records, const MediaIndex& media_index,
                                FileIndex i) {
  const std::string dir(parent_of(records[i].path));
  const std::string name = lower_ascii(leaf_of(records[i].path));
  std::string stem(stem_of(name));
  std::string type = records[i].format == Format::xmp ? "xmp" : "aae";
  std::vector<FileIndex> media;
  if (const auto it = media_index.by_name.find({dir, stem});
      records[i].format == Format::xmp && it != media_index.by_name.end()) {
    media = it->second; // name.ext.xmp
  }
  // IMG_O1234.AAE belongs to IMG_1234.
  if (const auto o = stem.rfind("img_o"); media.empty() && type == "aae" && o != std::string::npos &&
                                          o + 5 < stem.size() &&
                                          std::isdigit(static_cast<unsigned char>(stem[o + 5]))) {
    stem.erase(o + 4, 1);
    type = "aae-o";
  }
  if (media.empty()) {
    if (const auto it = media_index.by_stem.find({dir, stem}); it != media_index.by_stem.end()) {
      media = it->second;
    }
  }
  if (media.empty()) {
    return std::nullopt;
  }
  std::sort(media.begin(), media.end(), [&](FileIndex a, FileIndex b) {
    if (records[a].kind != records[b].kind) {
      return records[a].kind == Kind::still;
    }
    return better(records[a], records[b]);
  });
  return Found{i, media[0], type};
}

// Sidecars of kept files first, so that a keeper's own sidecar is its companion.
void kept_first(std::vector<Found>& found, const std::vector<Placement>& placements) {
  auto rank = [&](const Found& f) {
    const Role r = placements[f.media].role;
    return r == Role::keeper || r == Role::unknown_time     ? 0
           : r == Role::raw_sidecar || r == Role::companion ? 1
                                                            : 2;
  };
  std::stable_sort(found.begin(), found.end(),
                   [&](const Found& a, const Found& b) { return rank(a) < rank(b); });
}

// The view path of a capture's first sidecar of its type, beside the keeper.
std::string companion_path(const std::vector<FileRecord>& records, const Found& f,
                           const std::string& stem_path, const Placement& keeper, ViewNames& names) {
  const FileRecord& s = records[f.sidecar];
  const std::string sidecar_ext = ViewNames::ext_for(s); // "AAE", "XMP": one case, like the media's
  const std::string dir(parent_of(stem_path));
  const std::string stem(leaf_of(stem_path));
  if (f.type == "xmp" &&
      lower_ascii(stem_of(leaf_of(s.path))) == lower_ascii(leaf_of(records[f.media].path))) {
    return names.claim(dir, std::string(leaf_of(keeper.view)), sidecar_ext);
  }
  if (f.type == "aae-o") {
    return names.claim(dir, stem.substr(0, 15) + "_" + sanitize_name(stem_of(leaf_of(s.path))), sidecar_ext);
  }
  return names.claim(dir, stem, sidecar_ext);
}

// A further sidecar of one type for one capture: a duplicate beside the first one (`anchor`).
std::string duplicate_path(const FileRecord& sidecar, const std::string& anchor, ViewNames& names) {
  const std::string sidecar_ext = ViewNames::ext_for(sidecar);
  std::string path;
  for (int k = 2; path.empty() || names.taken(path); ++k) {
    path = "duplicates/" + std::string(parent_of(anchor)) + "/" + std::string(stem_of(leaf_of(anchor))) +
           " (" + std::to_string(k) + ")." + sidecar_ext;
  }
  names.take(path);
  return path;
}

} // namespace

void place_sidecars(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                    const Captures& captures, const std::vector<std::string>& family_stems, ViewNames& names,
                    std::vector<Placement>& placements) {
  const MediaIndex media_index = index_media(records, classes);
  std::vector<Found> found;
  for (FileIndex i = 0; i < records.size(); ++i) {
    if (classes[i] == FileClass::sidecar) {
      if (auto f = find_media(records, media_index, i)) {
        found.push_back(std::move(*f));
      }
    }
  }
  kept_first(found, placements);
  std::map<std::pair<std::size_t, std::string>, std::string> first_of; // (capture, type) -> its view path
  for (const auto& f : found) {
    Placement& p = placements[f.sidecar];
    const FileRecord& media = records[f.media];
    p.group = placements[f.media].group;
    const std::size_t c = captures.of[f.media];
    if (c == k_none) {
      // Beside an unknown-time file (or one of its byte copies), mirrored like it.
      p.role = Role::companion;
      p.keeper = media.path;
      p.view = names.mirrored("unknown_time", records[f.sidecar]);
      names.take(p.view);
      p.reason = "sidecar of " + media.path;
      p.rules = "same folder and name as its media file";
      continue;
    }
    const FileIndex keeper = captures.list[c].files[0];
    p.keeper = records[keeper].path;
    const auto slot = first_of.find({c, f.type});
    if (slot == first_of.end()) {
      p.role = Role::companion;
      p.view = companion_path(records, f, family_stems[c], placements[keeper], names);
      p.reason = "sidecar of " + records[keeper].path +
                 (f.media == keeper ? std::string() : " (it came with " + media.path + ")");
      p.rules = "same folder and name as " + media.path + "\nfollows the kept copy of its capture";
      first_of[{c, f.type}] = p.view;
    } else {
      p.role = Role::duplicate;
      p.view = duplicate_path(records[f.sidecar], slot->second, names);
      p.reason = "sidecar of " + media.path + ", a copy of a capture whose kept copy has its own";
      p.rules = "same folder and name as " + media.path + "\nthe keeper already has this sidecar";
    }
  }
}

} // namespace ipd
