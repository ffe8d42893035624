// One run of materialize: the state its passes share. Run::go() (materialize.cpp) calls the
// passes in order; each file of this folder defines the passes of one concern:
//
//   items.cpp    read_view, note_changed_inputs             the view and the inputs' lstat
//   checks.cpp   check_outdir, open_outdir, probe_reflink   before anything is written
//   journal.cpp  read_manifest, journal_all, write_manifest the manifest and its journal
//   remove.cpp   remove_left, remove_empty_folders          what left the view
//   tree.cpp     make_tree                                  one task per folder of the view
//   place.cpp    place                                      one path: make it, or settle what is there
//
// Below them: manifest.hpp (its entries and codec), at.hpp (the *at() helpers), folders.hpp.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/placement.hpp"
#include "index/materialize/items.hpp"
#include "index/materialize/manifest.hpp"
#include "index/materialize/materialize.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace ipd::materialize_detail {

// What this run made (or found of its own) at an item's path.
struct Mark {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  MadeKind kind = MadeKind::link;
  bool made = false; // else nothing of its own there
  bool drop = false; // the earlier manifest entry of the path goes
};

// What one task of the make pass did, for one folder of the view; merged in view order.
struct Partial {
  std::uint64_t made = 0;
  std::uint64_t replaced = 0;
  std::uint64_t already = 0;
  std::vector<MaterializeIssue> conflicts;
  std::vector<MaterializeIssue> errors;
  std::vector<MaterializeIssue> planned;
  std::string block_path; // a folder in the way of this folder's files, and what stands there
  std::string block_what;
  bool block_conflict = false;
  std::uint64_t blocked = 0; // files not made because of it
  std::vector<std::string> dirs_made;
};

class Folders;

class Run {
public:
  Run(const Catalog& catalog, const std::filesystem::path& outdir, const MaterializeOptions& options);
  ~Run();
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  MaterializeReport go();

private:
  // items.cpp
  void read_view();
  bool read_items();
  Item* take_entry(std::string_view key, std::string_view value, ViewEntry& entry);
  void collect_view_dirs();
  void note_changed_inputs();

  // checks.cpp
  void check_outdir();
  void check_apart_from_roots() const;
  void check_apart_from_catalog() const;
  struct stat outdir_filesystem() const;
  void check_same_filesystem(const struct stat& st) const;
  bool open_outdir();
  void probe_reflink();

  // journal.cpp
  void read_manifest();
  void adopt_journal(const Manifest& journal);
  void journal_all();
  void write_manifest();
  std::string manifest_bytes() const;
  bool recorded_as_intended(const Item& item) const;
  void remove_made_outdirs();

  // remove.cpp
  void remove_left();
  enum class Entry { stays, goes };
  Entry remove_one(const std::string& path, const Made& m);
  void remove_empty_folders();
  std::vector<std::string> left_folders() const;

  // tree.cpp
  void make_tree();
  std::vector<std::size_t> folder_starts() const;
  std::vector<Partial> make_folders(const std::vector<std::size_t>& starts);
  void make_folder(Partial& out, Folders& folders, std::size_t begin, std::size_t end);
  void merge(std::vector<Partial>& partials);
  void drop_replaced();

  // place.cpp
  MadeKind kind_for(const Item& item) const;
  Made intended(const Item& item) const;
  int create(const Item& item, int dirfd, const char* name, Made& made, std::string& error) const;
  int create_from_input(const Item& item, MadeKind kind, int dirfd, const char* name, Made& made,
                        std::string& error) const;
  bool is_right(const Item& item, int dirfd, const char* name, const struct stat& st) const;
  bool same_content(const Item& item, int dirfd, const char* name, const struct stat& st) const;
  std::string create_error(int err, const std::string& open_error) const;
  void place(Partial& out, std::size_t index, int dirfd);
  int make_new(Partial& out, std::size_t index, int dirfd, const char* name);
  void settle(Partial& out, std::size_t index, int dirfd, const char* name, const struct stat& st);
  void replace(Partial& out, std::size_t index, int dirfd, const char* name);
  void ours_now(std::size_t index, const Made& made, bool drop_earlier);
  void pause() const;

  const Catalog& m_catalog;
  std::filesystem::path m_outdir;
  const MaterializeOptions& m_options;
  MaterializeReport m_report;
  std::deque<Item> m_items;                   // in view-path order
  std::set<std::string> m_view_dirs;          // every folder of the view
  Manifest m_manifest;                        // what it made earlier (and folders), as far as still there
  std::optional<std::string> m_manifest_read; // the manifest's bytes as this run found them
  bool m_journalled = false;                  // this run wrote a journal
  std::vector<std::filesystem::path> m_made_outdirs; // OUTDIR and parents this run made, deepest first
  std::vector<Mark> m_marks;                         // per item: what it made (or found of its own) there
  Strings m_strings;                                 // the items' strings
  std::vector<std::string> m_roots;                  // of the last index
  int m_out = -1;                                    // OUTDIR
};

} // namespace ipd::materialize_detail
