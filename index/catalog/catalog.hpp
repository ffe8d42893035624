// The catalog: a RocksDB database in one directory (docs/DESIGN.md §7).
//
//   column family   key                          value
//   default (meta)  meta_key::* (below)          strings
//   files           input path (raw bytes)       encode(FileRecord)
//   view            view path ("a/b/c.HEIC")     encode(ViewEntry)
//   plan            input path                   encode(Placement)
//   decisions       decision_key(): size, hash   encode(Decision): the user's word, keyed by the
//                   (big-endian) and verdict     file's content (docs/DESIGN.md §6); kept by
//                                                rebuild(), empty when an older layout lacks it
//   near_misses     near_miss_key(): the two     encode(NearMiss): still pairs of one instant the
//                   input paths                  content check kept apart, with their distances
//                                                (written with the view; empty in older layouts)
//
// The codecs of every table are in codec.hpp. RocksDB stays behind this interface.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipd {

constexpr int k_catalog_schema = 1;
constexpr std::string_view k_default_catalog = "iphone-photo-dedup.catalog";

// The keys of the meta table.
namespace meta_key {
constexpr std::string_view magic = "magic";   // k_magic below: this directory is our catalog
constexpr std::string_view schema = "schema"; // k_catalog_schema, as decimal text
constexpr std::string_view roots = "roots";   // encode_roots(): the roots of the last index run
constexpr std::string_view same_filesystem = "same_filesystem"; // "1" when every input is on one
constexpr std::string_view plan_options = "plan_options";       // describe(PlanOptions) of the view
constexpr std::string_view view_generation = "view_generation"; // raised by every new view
constexpr std::string_view readers = "readers"; // k_readers_version of the run that read the records
constexpr std::string_view plan_pending = "plan_pending"; // "1" from an index run's first change to its plan
constexpr std::string_view plan_decisions = "plan_decisions"; // decisions_digest() the view was planned with
constexpr std::string_view decision_notes = "decision_notes"; // encode_decision_notes() of that plan
// The number of near misses the view's plan kept, as decimal text; absent when the view was planned
// by a version that kept none (the next index plans again).
constexpr std::string_view near_misses = "near_misses";
} // namespace meta_key

class Catalog {
public:
  enum class Access { read_only, read_write };
  // What a writer does when another process writes the catalog: fail at once, or wait.
  enum class Wait { no, yes };
  enum class Table : std::uint8_t { meta = 0, files = 1, view = 2, plan = 3, decisions = 4, near_misses = 5 };

  // A set of changes applied atomically by write().
  class Batch {
  public:
    Batch();
    ~Batch();
    Batch(Batch&&) noexcept;
    void put_file(const FileRecord& record);
    void delete_file(std::string_view path);
    void put_meta(std::string_view key, std::string_view value);
    void put(Table table, std::string_view key, std::string_view value);
    void remove(Table table, std::string_view key);
    // Removes every key of `table` that is in the catalog when the batch is written.
    void clear(Table table);
    std::size_t count() const;

  private:
    friend class Catalog;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
  };

  // Opens the catalog in `dir`; read_write creates it (and its parents) when `dir` does not
  // exist, and holds the catalog's writer lock until the Catalog is destroyed: one writer at a
  // time, for the whole of its run. Throws Fatal with a clear message for a missing catalog
  // (read_only), a directory that is not a catalog, a catalog of an unknown schema version, a
  // damaged catalog, (read_write) a catalog inside a tree that materialize wrote, or another
  // writer holding the lock (with Wait::no; Wait::yes waits for it).
  static std::unique_ptr<Catalog> open(const std::filesystem::path& dir, Access access, Wait wait = Wait::no);
  // Takes the writer lock and starts the catalog in `dir` afresh, for `index --rebuild`, but for
  // its decisions table: a catalog that opens (whatever its schema) has every other table
  // dropped in place and its meta rewritten, so the user's decisions are never out of it, not
  // even for a moment; one too damaged to open, when its files show it is ours, is removed
  // (its decisions cannot be read). Throws Fatal as destroy() does, and nothing changes then.
  static std::unique_ptr<Catalog> rebuild(const std::filesystem::path& dir, Wait wait = Wait::no);
  // Opens the catalog in `dir` as a RocksDB secondary: read-only, alongside a process that may
  // write it, following its writes on catch_up(). `work_dir` holds the secondary's own files.
  static std::unique_ptr<Catalog> open_secondary(const std::filesystem::path& dir,
                                                 const std::filesystem::path& work_dir);
  // Removes the catalog in `dir`. A missing `dir` is fine; one that is not a catalog, or that
  // holds anything the catalog did not make (a user's file, a materialized tree), throws Fatal
  // and nothing is removed.
  static void destroy(const std::filesystem::path& dir);

  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Calls `fn` for every file record in path order. Throws Fatal on an undecodable record.
  void for_each_file(const std::function<void(FileRecord&&)>& fn) const;
  std::optional<FileRecord> file(std::string_view path) const;
  std::optional<std::string> meta(std::string_view key) const;
  // The value of `key` in `table`. A table that a read-only catalog of an older layout lacks
  // reads as empty (here and in scan()).
  std::optional<std::string> get(Table table, std::string_view key) const;
  // Calls `fn(key, value)` for every key of `table` starting with `prefix`, in key order,
  // until it returns false.
  void scan(Table table, std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // For a secondary: takes in what the primary has written since (whole batches only).
  void catch_up();
  // Applies the batch atomically (readers see all of it or none of it), then empties it.
  void write(Batch& batch);

  const std::filesystem::path& dir() const { return m_dir; }

private:
  struct Impl;
  Catalog(std::filesystem::path dir, std::unique_ptr<Impl> impl);
  static std::unique_ptr<Impl> open_db(const std::filesystem::path& dir, bool read_only);
  static std::unique_ptr<Catalog> open_locked(const std::filesystem::path& dir, Access access, int lock_fd);
  static std::unique_ptr<Catalog> make_fresh(const std::filesystem::path& dir);
  static std::unique_ptr<Catalog> open_existing(const std::filesystem::path& dir, Access access);
  std::filesystem::path m_dir;
  std::unique_ptr<Impl> m_impl;
  int m_lock_fd = -1; // the catalog folder, flock'ed by a writer; -1 for readers
};

} // namespace ipd
