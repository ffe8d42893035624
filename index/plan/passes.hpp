// The passes of the plan and what flows between them, in the order make_plan (plan.cpp) runs
// them. Each pass is a function of what the passes before it made; none opens a file itself:
// what the plan reads of files comes through FileContent. Internal to plan/ and its tests.
#pragma once

#include "index/core/placement.hpp"
#include "index/core/record.hpp"
#include "index/plan/file_content.hpp"
#include "index/plan/plan.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ipd {

using FileIndex = std::size_t; // a record's index in the records (path order)
inline constexpr std::size_t k_none = std::numeric_limits<std::size_t>::max();

// ---- 1. classify ------------------------------------------------------------------------------

enum class FileClass : std::uint8_t {
  timed,   // a photo or movie with a capture time
  untimed, // a photo or movie without one
  sidecar, // .AAE or .XMP
  other,   // not media, or unreadable (a damaged photo whose metadata was read is timed or untimed)
  outside, // not a regular file (symlink, FIFO, unreadable folder): not in the view
};

std::vector<FileClass> classify(const std::vector<FileRecord>& records);

// ---- 2. byte copies ---------------------------------------------------------------------------

struct ByteCopies {
  // For each file, the best-ranked file of its set of byte-identical copies (itself when alone).
  std::vector<FileIndex> rep;
  std::vector<FileIndex> hashed; // files whose content hash this pass computed, ascending
  bool same_bytes(FileIndex a, FileIndex b) const { return rep[a] == rep[b]; }
};

// Finds byte-identical media and sidecars: hard links of one inode without reading; then same
// size, same hash of the first 64 KiB, same hash of all bytes. Sets content_hash on the records
// it hashed (kept in the catalog, so a re-plan does not read them again).
// `one_at_a_time` hashes in inode order on one thread (a spinning disk), else in parallel.
ByteCopies find_byte_copies(std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                            FileContent& content, bool one_at_a_time = false, Progress* progress = nullptr);

// ---- 2b. the user's decisions (docs/DESIGN.md §6) ---------------------------------------------
//
// Decisions name contents (size and hash), so each holds for every byte copy of its file. They
// act before the rules of the passes after this one: `apart` takes its file out of every
// candidate pair (drop_apart, after pass 3), `together` joins the groups of its files whatever
// the rules found (join_together, after pass 5), and `keep` puts its file first in its capture
// (Decided::first, in passes 6 and 9).

struct Decided {
  std::vector<Decision> decisions; // as given
  // For each file, the keep, apart and together decision that hold for its content (indices
  // into `decisions`; k_none when none). Of an apart and a together on one content the later
  // holds.
  std::vector<std::size_t> keep;
  std::vector<std::size_t> apart;
  std::vector<std::size_t> together;
  // The together sets that hold, each as its distinct timed representatives (ByteCopies::rep),
  // ascending, two at least; files of another kind than the set's first are left out.
  std::vector<std::vector<FileIndex>> sets;
  std::vector<FileIndex> hashed;         // files this pass hashed, ascending
  std::vector<DecisionOutcome> outcomes; // per decision: its files, and its note so far

  // The order of the files of one capture (or of one set of byte copies): the latest keep
  // first, among its byte copies the file it was made on first, then the ranking (rank.hpp).
  bool first(const std::vector<FileRecord>& records, FileIndex a, FileIndex b) const;
};

// Finds the files of each decision: the media files of a decided size are hashed where the
// catalog has no hash yet (content_hash set on the records); settles an apart and a together on
// one content (the later holds, both noted); makes the together sets.
Decided match_decisions(std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                        const ByteCopies& copies, const std::vector<Decision>& decisions,
                        FileContent& content);

// ---- 3. candidate pairs -----------------------------------------------------------------------

using FilePair = std::pair<FileIndex, FileIndex>; // first < second

// True when two capture times are one instant: UTC when both have an offset, else local;
// subseconds when both have them.
bool same_instant(const CaptureTime& a, const CaptureTime& b);

// Pairs of timed representatives (ByteCopies::rep) that may be one capture: same kind, same
// instant, same device where both name one, content identifiers not different, and not an edit
// against its original. Ascending.
std::vector<FilePair> candidate_pairs(const std::vector<FileRecord>& records,
                                      const std::vector<FileClass>& classes, const ByteCopies& copies);

// Takes every pair with a file that is `apart` out of the candidates.
void drop_apart(std::vector<FilePair>& candidates, const ByteCopies& copies, const Decided& decided);

// ---- 4. content -------------------------------------------------------------------------------

// Two files whose content agrees, and how it was decided.
struct AgreeingPair {
  FileIndex a = 0; // a < b
  FileIndex b = 0;
  double distance = 0; // content distance; 0 when settled without pixels
  std::string why;
};

// Two stills of a candidate pair whose content does not agree, and what was measured of them.
struct RefusedPair {
  FileIndex a = 0; // a < b
  FileIndex b = 0;
  double sample = -1; // sample distance; -1 when not sampled
  double whole = -1;  // whole-picture distance (--full-compare: percent); -1 when not compared
  std::string why;
};

struct ContentCheck {
  std::vector<AgreeingPair> agreeing; // in candidate order
  std::vector<RefusedPair> refused;   // the still pairs that needed pixels and disagree, in candidate order
  std::vector<FileIndex> printed;     // files this pass fingerprinted, ascending
};

// Decides which candidate pairs show one picture: movies by duration and dimensions; a RAW file
// and an image by instant and device alone; stills by their headers where they settle it (equal
// content identifiers and camera-made sizes agree, other aspect ratios do not), else by
// fingerprints, computed in parallel once per set of files settled together from its member
// cheapest to decode. Keeps the still pairs it refused, with their distances (the near misses).
// Sets the records' fingerprints and the stats' content figures.
ContentCheck check_content(std::vector<FileRecord>& records, const std::vector<FilePair>& candidates,
                           const PlanOptions& options, FileContent& content, PlanStats& stats);

// ---- 5. groups --------------------------------------------------------------------------------

// Merges agreeing pairs into groups, closest pair first, and two groups only when every pair
// across them agrees, so that no chain of near copies pulls an edit in beside its original.
// Returns, for each of the n files, its group's root (the smallest index); files in no pair
// are their own root.
std::vector<FileIndex> group_pairs(std::size_t n, std::vector<AgreeingPair> agreeing);

// group_pairs over the pairs of intact files; then each damaged file joins the group of its
// closest agreeing intact file, else of its closest agreeing damaged one. A damaged file's
// pixels are partly missing, so its pairs are settled on headers alone: it follows a group but
// never keeps two intact copies apart, nor joins two groups.
std::vector<FileIndex> group_with_damaged(const std::vector<FileRecord>& records,
                                          const std::vector<AgreeingPair>& agreeing);

// Joins, for each together set, the groups its files are in (the roots stay the smallest index
// of each group), whatever the rules found between them.
void join_together(std::vector<FileIndex>& group_of, const Decided& decided);

// ---- 6. captures and their keepers -------------------------------------------------------------

struct Capture {
  std::vector<FileIndex> files; // every file of the capture, best first: files[0] is its keeper
  std::uint32_t number = 0;     // 1, 2, ... in the order of the keepers' paths
};

struct Captures {
  std::vector<Capture> list;   // in the order of the keepers' paths
  std::vector<std::size_t> of; // for each file, its capture in `list`; k_none for untimed files and others
};

// The captures: each group of timed representatives with all their byte copies, in the order
// of Decided::first (the user's keep, then the ranking).
Captures rank_captures(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                       const ByteCopies& copies, const std::vector<FileIndex>& group_of,
                       const Decided& decided);

// Notes, on the outcomes, every keep that a later keep overruled in one capture.
void note_keep_conflicts(const Captures& captures, const Decided& decided,
                         std::vector<DecisionOutcome>& outcomes);

// How a file came to be in one capture with another, and why its keeper was kept, in words,
// for the reasons.
class Kinship {
public:
  Kinship(const std::vector<FileRecord>& records, const ByteCopies& copies,
          const std::vector<AgreeingPair>& agreeing, const Decided& decided);
  // "byte-identical copy", "same capture: content distance 0.31 (under 1.50)", "same capture:
  // your decision (together, 2026-12-01)", ...
  std::string how_same(FileIndex file, FileIndex keeper) const;
  // Why `keeper` is kept over `other`: "your decision (keep, 2026-12-01)", else why_better().
  std::string why_kept(FileIndex keeper, FileIndex other) const;
  // The user's decisions that hold for `file`, one line each ("your decision: keep, 2026-12-01,
  // beats every rule"); empty when none.
  std::string decided(FileIndex file) const;
  // The keep decision that holds for `file`, or nullptr.
  const Decision* kept_by(FileIndex file) const;
  // The apart decision that holds for `file`, or nullptr.
  const Decision* apart_by(FileIndex file) const;

private:
  const std::vector<FileRecord>& m_records;
  const ByteCopies& m_copies;
  const std::vector<AgreeingPair>& m_agreeing;
  const Decided& m_decided;
  std::vector<std::size_t> m_order; // indices of m_agreeing by (a, b)
  std::vector<std::size_t> m_set;   // for each file, its together set in m_decided.sets; k_none
};

// ---- 7. Live Photos ---------------------------------------------------------------------------

struct LivePhotos {
  std::vector<std::size_t> movie_of; // for each still capture, its Live Photo movie's capture (k_none)
  std::vector<std::size_t> still_of; // for each movie capture, the still capture it belongs to (k_none)
  std::vector<std::string> why;      // for each movie capture, how it was paired
};

// Pairs each movie capture with at most one still capture: the same content identifier, else the
// same name in the same folder within 3 s; preferring a still that is not an edit, then the
// better keeper.
LivePhotos pair_live_photos(const std::vector<FileRecord>& records, const Captures& captures);

// ---- 8-11. view paths -------------------------------------------------------------------------

// The names given out in the view, compared without case (views are browsed over Samba and on
// macOS too), and the folder each root is mirrored under in unknown_time/ and other/.
class ViewNames {
public:
  explicit ViewNames(const std::vector<std::string>& roots);
  bool taken(const std::string& path) const;
  void take(const std::string& path);
  // The first of dir/stem.ext, dir/stem (2).ext, ... (from `first`) that is free, taken.
  std::string claim(const std::string& dir, const std::string& stem, const std::string& ext, int first = 1);
  // top/<root label>/<path under its root>, e.g. "other/in/notes/a.txt" (not taken).
  std::string mirrored(const std::string& top, const FileRecord& record) const;
  // The extension the view gives a file: from its content, else its own, sanitized.
  static std::string ext_for(const FileRecord& record);

private:
  std::vector<std::string> m_roots;
  std::vector<std::string> m_root_labels;
  std::set<std::string> m_used; // lowercased view paths already given out
};

// Places every file of `files` but `keeper` as a duplicate of it, under
// duplicates/<anchor_dir>/<anchor_stem> (N).EXT; `keeper_why` says why the keeper is where it is.
void place_duplicates(const std::vector<FileRecord>& records, const std::vector<FileIndex>& files,
                      FileIndex keeper, const std::string& anchor_dir, const std::string& anchor_stem,
                      Role keeper_role, const std::string& keeper_why, const Kinship& kinship,
                      ViewNames& names, std::vector<Placement>& placements);

// 8. Keepers at <device>/YYYY/YYYY-MM/YYYYMMDD_HHMMSS_<stem>.<EXT>, with their RAW siblings, Live
// Photo movies and duplicates. Returns, for each capture, the view folder and stem of its family
// ("Apple iPhone 8/2019/2019-07/20190701_120000_IMG_1"), which its sidecars follow.
std::vector<std::string> place_captures(const std::vector<FileRecord>& records, const ByteCopies& copies,
                                        const Captures& captures, const LivePhotos& live,
                                        const Kinship& kinship, const PlanOptions& options, ViewNames& names,
                                        std::vector<Placement>& placements);

// 9. Untimed media under unknown_time/, mirrored; their byte copies are their duplicates (the
// first of each set by Decided::first stays).
void place_unknown_time(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                        const ByteCopies& copies, const Decided& decided, const Kinship& kinship,
                        ViewNames& names, std::vector<Placement>& placements);

// 10. AAE and XMP sidecars beside the kept copy of their media's capture; a second sidecar of one
// kind for one capture is a duplicate; a sidecar of an untimed file follows it to unknown_time/.
void place_sidecars(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                    const Captures& captures, const std::vector<std::string>& family_stems, ViewNames& names,
                    std::vector<Placement>& placements);

// 11. Everything not yet placed: other/, mirrored, or outside the view.
void place_others(const std::vector<FileRecord>& records, const std::vector<FileClass>& classes,
                  ViewNames& names, std::vector<Placement>& placements);

// ---- 12. keeper reasons -----------------------------------------------------------------------

// Writes each keeper's reason once its whole group is placed: the files of the group by role,
// and the rule that made the keeper beat each kind of rival (the one each rival's reason names)
// — or the user's keep; and an apart where one holds.
void explain_keepers(const std::vector<FileRecord>& records, const Captures& captures, const Kinship& kinship,
                     std::vector<Placement>& placements);

// ---- 13. README.txt ---------------------------------------------------------------------------

// What each folder holds, the counts, every file that could not be read, and the user's
// decisions with the view paths they placed.
std::string readme_text(const std::vector<FileRecord>& records, const std::vector<Placement>& placements,
                        std::uint64_t groups, const std::vector<Decision>& decisions,
                        const std::vector<DecisionOutcome>& outcomes);

} // namespace ipd
