// The user's decisions in the catalog (docs/DESIGN.md §6, §7): its decisions table, keyed by
// the content of the file each was made on, read for the plan, written by `keep`, `apart`,
// `together` and `forget`, and listed with what the last plan made of them.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/decision.hpp"
#include "index/core/placement.hpp"
#include "index/core/record.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ipd {

// Every decision in the catalog, in key order (content, then verdict). Rows this version cannot
// read (a later version's) are left out.
std::vector<Decision> load_decisions(const Catalog& catalog);

// A digest of the whole decisions table ("0" when empty): the view stores the one it was planned
// with (meta_key::plan_decisions), so that a change of decisions remakes it.
std::string decisions_digest(const Catalog& catalog);

// The content of the input file `record` names: its size and the hash the catalog keeps, else the
// hash of its bytes, read now (O_NOATIME) and set on `record` for the caller to keep. nullopt,
// with the reason in `error`, when the file is gone, changed since the last index, or unreadable.
std::optional<ContentKey> content_key_of(FileRecord& record, std::string& error);

// The wall clock in ns since the epoch: the time a decision is made.
std::int64_t decision_clock();

// Records `verdict` on each of `files` (records of the catalog whose content_key_of() succeeded,
// passed as `contents`), made at `made_ns`, and keeps any hash computed for them, in one write.
// A keep or apart replaces the earlier one of its verdict on that content. A together makes the
// files one set, joined with every set any of them was already in. Returns the decisions made.
std::vector<Decision> record_decisions(Catalog& catalog, Verdict verdict,
                                       const std::vector<FileRecord>& files,
                                       const std::vector<ContentKey>& contents, std::int64_t made_ns);

// Drops every decision on each of `contents`, every decision made on a path of `paths` (for
// files that are no longer inputs), and every together set left with one file, in one write.
// Returns the decisions dropped.
std::vector<Decision> forget_decisions(Catalog& catalog, const std::vector<ContentKey>& contents,
                                       const std::vector<std::string>& paths);

// One decision as `decisions` and the review page list it.
struct DecisionState {
  Decision decision;
  std::vector<Placement> files; // the input files of its content now, where the view has them
  std::string note;             // what the last plan said: empty when it holds as made
};

// Every decision in the catalog, in key order, with the last plan's note and, with
// Files::yes, its files (one pass over the records).
enum class Files { yes, no };
std::vector<DecisionState> list_decisions(const Catalog& catalog, Files files = Files::yes);

} // namespace ipd
