// Pass 8: the view paths of the captures. Each capture that is not a Live Photo movie is a
// family, filed under its keeper's device and local capture date:
//
//   <device>/YYYY/YYYY-MM/YYYYMMDD_HHMMSS_<stem>.HEIC         the keeper
//                         YYYYMMDD_HHMMSS_<stem>.JPG          a RAW keeper's JPG/HEIC (raw-sidecar)
//                         YYYYMMDD_HHMMSS_<stem>.MOV          its Live Photo movie (companion)
//   duplicates/<device>/YYYY/YYYY-MM/YYYYMMDD_HHMMSS_<stem> (2).JPG   every other copy
//
// A family's stem is unique in its folder (" (2)" …), so a keeper's movie, sidecars and
// duplicates all carry its stem and no one else's.
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace ipd {

namespace {

struct Family {
  std::size_t capture = 0;
  std::string dir;  // view folder of the keeper
  std::string stem; // view stem of the keeper, after collisions
};

// The device folder: "Make Model", "unknown_device", never a name the view's root reserves.
std::string device_folder(const FileRecord& k) {
  std::string device = sanitize_name(device_name(k.make, k.model));
  if (device_name(k.make, k.model).empty()) {
    return std::string(k_unknown_device);
  }
  if (is_reserved_top_name(device)) {
    device += " (device)";
  }
  return device;
}

Family family_of(const std::vector<FileRecord>& records, const Captures& captures, std::size_t c) {
  const FileRecord& k = records[captures.list[c].files[0]];
  const CivilTime t = civil_time(k.capture.local);
  char folder[32];
  std::snprintf(folder, sizeof folder, "%04d/%04d-%02u", t.year, t.year, t.month);
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "%04d%02u%02u_%02d%02d%02d", t.year, t.month, t.day, t.hour, t.minute,
                t.second);
  return {c, device_folder(k) + "/" + folder,
          std::string(prefix) + "_" + sanitize_name(stem_of(leaf_of(k.path)))};
}

// Every capture but the Live Photo movies, in folder and stem order, with stems made unique.
std::vector<Family> families_of(const std::vector<FileRecord>& records, const Captures& captures,
                                const LivePhotos& live) {
  std::vector<Family> families;
  for (std::size_t c = 0; c < captures.list.size(); ++c) {
    if (live.still_of[c] == k_none) {
      families.push_back(family_of(records, captures, c));
    }
  }
  std::sort(families.begin(), families.end(), [&](const Family& a, const Family& b) {
    return std::tie(a.dir, a.stem, records[captures.list[a.capture].files[0]].path) <
           std::tie(b.dir, b.stem, records[captures.list[b.capture].files[0]].path);
  });
  std::set<std::string> stems_used;
  for (auto& f : families) {
    std::string stem = f.stem;
    for (int k = 2; stems_used.count(lower_ascii(f.dir + "/" + stem)); ++k) {
      stem = f.stem + " (" + std::to_string(k) + ")";
    }
    stems_used.insert(lower_ascii(f.dir + "/" + stem));
    f.stem = stem;
  }
  return families;
}

// Everything one family's placements need to know.
struct FamilyContext {
  const std::vector<FileRecord>& records;
  const ByteCopies& copies;
  const Kinship& kinship;
  const PlanOptions& options;
  ViewNames& names;
  std::vector<Placement>& placements;
};

std::string keeper_why_of(const FileRecord& k) {
  const std::string device = device_name(k.make, k.model);
  return "capture " + format_iso8601(k.capture) + (device.empty() ? std::string() : ", " + device);
}

void place_keeper(FamilyContext& ctx, const Family& f, const Capture& cap, const std::string& keeper_why) {
  const FileRecord& k = ctx.records[cap.files[0]];
  Placement& kp = ctx.placements[cap.files[0]];
  kp.role = Role::keeper;
  kp.view = ctx.names.claim(f.dir, f.stem, ViewNames::ext_for(k));
  // Its reason comes from pass 12 (explain_keepers), once its whole group has its places.
  const std::string decided = ctx.kinship.decided(cap.files[0]);
  kp.rules =
      keeper_why + (decided.empty() ? "" : "\n" + decided) +
      "\nrank: intact > format > camera's own RAW > pixels > camera metadata > oldest mtime > shortest path";
}

// A RAW keeper's JPG/HEIC siblings stay beside it, one per format (unless --no-raw-sidecars);
// returns the other files of the capture, the keeper first.
std::vector<FileIndex> place_raw_sidecars(FamilyContext& ctx, const Family& f, const Capture& cap,
                                          const std::string& keeper_why) {
  const FileIndex keeper = cap.files[0];
  const FileRecord& k = ctx.records[keeper];
  std::vector<FileIndex> rest{keeper};
  std::set<Format> sidecar_formats;
  for (std::size_t m = 1; m < cap.files.size(); ++m) {
    const FileIndex i = cap.files[m];
    const FileRecord& r = ctx.records[i];
    if (ctx.options.raw_sidecars && is_raw(k.format) && !is_raw(r.format) &&
        !ctx.copies.same_bytes(i, keeper) && sidecar_formats.insert(r.format).second) {
      Placement& p = ctx.placements[i];
      p.role = Role::raw_sidecar;
      p.keeper = k.path;
      p.view = ctx.names.claim(f.dir, f.stem, ViewNames::ext_for(r));
      p.reason = "image beside its RAW file " + k.path;
      p.same_as = ctx.kinship.how_same(i, keeper);
      p.rules = keeper_why + "\n" + p.same_as + "\n--no-raw-sidecars makes it a duplicate";
    } else {
      rest.push_back(i);
    }
  }
  return rest;
}

// The Live Photo movie beside its still's keeper, and its own copies as its duplicates.
void place_live_movie(FamilyContext& ctx, const Family& f, const Capture& movie, const std::string& why,
                      const FileRecord& keeper, const std::string& keeper_why, std::uint32_t group) {
  const FileIndex mk = movie.files[0];
  Placement& mp = ctx.placements[mk];
  mp.role = Role::companion;
  mp.keeper = keeper.path;
  mp.view = ctx.names.claim(f.dir, f.stem, ViewNames::ext_for(ctx.records[mk]));
  mp.reason = why + " " + keeper.path;
  const std::string decided = ctx.kinship.decided(mk);
  mp.rules = why + "\n" + keeper_why + (decided.empty() ? "" : "\n" + decided);
  place_duplicates(ctx.records, movie.files, mk, f.dir, f.stem, Role::companion, why, ctx.kinship, ctx.names,
                   ctx.placements);
  for (const FileIndex i : movie.files) {
    ctx.placements[i].group = group;
  }
}

} // namespace

std::vector<std::string> place_captures(const std::vector<FileRecord>& records, const ByteCopies& copies,
                                        const Captures& captures, const LivePhotos& live,
                                        const Kinship& kinship, const PlanOptions& options, ViewNames& names,
                                        std::vector<Placement>& placements) {
  FamilyContext ctx{records, copies, kinship, options, names, placements};
  std::vector<std::string> family_stems(captures.list.size());
  for (const Family& f : families_of(records, captures, live)) {
    const Capture& cap = captures.list[f.capture];
    const FileRecord& k = records[cap.files[0]];
    const std::string keeper_why = keeper_why_of(k);
    place_keeper(ctx, f, cap, keeper_why);
    const std::vector<FileIndex> rest = place_raw_sidecars(ctx, f, cap, keeper_why);
    place_duplicates(records, rest, cap.files[0], f.dir, f.stem, Role::keeper, keeper_why, kinship, names,
                     placements);
    for (const FileIndex i : cap.files) {
      placements[i].group = cap.number;
    }
    family_stems[f.capture] = f.dir + "/" + f.stem;
    if (const std::size_t mc = live.movie_of[f.capture]; mc != k_none) {
      place_live_movie(ctx, f, captures.list[mc], live.why[mc], k, keeper_why, cap.number);
      family_stems[mc] = f.dir + "/" + f.stem;
    }
  }
  return family_stems;
}

} // namespace ipd
