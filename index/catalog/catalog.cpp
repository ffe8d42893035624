#include "index/catalog/catalog.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/core/placement.hpp"
#include "index/core/text.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace ipd {

namespace {

constexpr std::string_view k_magic = "iphone-photo-dedup catalog";
// Written into a new catalog's folder before RocksDB makes its files there: a catalog whose
// making was cut short is still known for ours, and made again.
constexpr std::string_view k_marker_name = "IPHONE-PHOTO-DEDUP";

// A function, not a global: rocksdb::kDefaultColumnFamilyName is itself a global. In the order
// of Catalog::Table.
std::vector<std::string> family_names() {
  return {rocksdb::kDefaultColumnFamilyName, "files", "view", "plan", "decisions", "near_misses"};
}

// The one table that index --rebuild keeps (Catalog::rebuild).
constexpr std::string_view k_kept_family = "decisions";

// Tables earlier versions kept that this one does not: dropped when the catalog is next written.
// "dirs" held directory listings that nothing read (the mount builds its tree from the view).
std::vector<std::string> retired_family_names() { return {"dirs"}; }
constexpr std::size_t meta_cf = 0;
constexpr std::size_t files_cf = 1;

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

[[noreturn]] void fail(const std::filesystem::path& dir, const std::string& what) {
  throw Fatal("catalog " + dir.string() + ": " + what);
}

// RocksDB's words for a problem, as the user can act on them, with RocksDB's after a colon.
std::string explain(const rocksdb::Status& status) {
  const std::string text = status.ToString();
  if (status.IsIOError() && text.find("lock") != std::string::npos) {
    return "another iphone-photo-dedup is using this catalog: " + text;
  }
  if (status.IsCorruption() || text.find("sstable") != std::string::npos ||
      text.find("too short") != std::string::npos) {
    return "the catalog is damaged: `iphone-photo-dedup index --rebuild ROOT...` starts it afresh "
           "(your inputs are not touched): " +
           text;
  }
  return text;
}

void check_status(const std::filesystem::path& dir, const rocksdb::Status& status) {
  if (!status.ok()) {
    fail(dir, explain(status));
  }
}

// A directory RocksDB made has a CURRENT file; anything else non-empty is not ours to touch.
bool looks_like_database(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "CURRENT", ec);
}

// True for the names of the files RocksDB keeps in a database directory.
bool is_database_file(const std::string& name) {
  const auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
           digits(std::string_view(name).substr(0, name.size() - suffix.size()));
  };
  const auto numbered = [&](std::string_view prefix) {
    return name.rfind(prefix, 0) == 0 &&
           (digits(std::string_view(name).substr(prefix.size())) || name.find(".dbtmp") != std::string::npos);
  };
  return name == k_marker_name || name == "CURRENT" || name == "IDENTITY" || name == "LOCK" ||
         name == "LOG" || numbered("LOG.old.") || numbered("MANIFEST-") || numbered("OPTIONS-") ||
         ends(".log") || ends(".sst") || ends(".blob") || ends(".ldb") || ends(".dbtmp");
}

// What is in `dir` that RocksDB did not put there (a file or folder the user keeps there, a
// tree materialized into it); empty when nothing.
std::vector<std::string> foreign_entries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory(ec) || !is_database_file(name)) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The nearest folder at or above `dir` that materialize wrote into (it holds its manifest), or
// an empty path.
std::filesystem::path materialized_tree_around(const std::filesystem::path& dir) {
  std::error_code ec;
  for (auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(dir), ec); !p.empty();
       p = p.parent_path()) {
    if (std::filesystem::is_regular_file(p / k_manifest_name, ec)) {
      return p;
    }
    if (p == p.root_path()) {
      break;
    }
  }
  return {};
}

rocksdb::Options make_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.stats_dump_period_sec = 0;
  options.max_file_opening_threads = 1; // its default starts 16 threads per column family at open
  options.skip_stats_update_on_db_open = true;
  options.stats_persist_period_sec = 0;
  options.compression = rocksdb::kNoCompression;
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  options.keep_log_file_num = 2;
  return options;
}

} // namespace

struct Catalog::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families; // by Table; nullptr: not in this catalog (read-only)
  bool written = false;
  bool reopen_to_write = false; // opened read-only; write() reopens it for writing

  ~Impl() {
    // Flushed tables open faster than a write-ahead log that must be replayed, and the next
    // run of a re-index opens the catalog before anything else.
    std::vector<rocksdb::ColumnFamilyHandle*> open;
    std::copy_if(families.begin(), families.end(), std::back_inserter(open), [](auto* h) { return h; });
    if (written) {
      db->Flush(rocksdb::FlushOptions(), open);
    }
    for (auto* handle : open) {
      db->DestroyColumnFamilyHandle(handle);
    }
  }
};

struct Catalog::Batch::Impl {
  // Values are put by column family index and resolved against the open catalog in write().
  enum class Kind { put, remove, clear };
  struct Op {
    std::size_t family;
    Kind kind;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
};

Catalog::Batch::Batch() : m_impl(std::make_unique<Impl>()) {}
Catalog::Batch::~Batch() = default;
Catalog::Batch::Batch(Batch&&) noexcept = default;

void Catalog::Batch::put_file(const FileRecord& record) {
  m_impl->ops.push_back({files_cf, Impl::Kind::put, record.path, encode(record)});
}

void Catalog::Batch::delete_file(std::string_view path) {
  m_impl->ops.push_back({files_cf, Impl::Kind::remove, std::string(path), {}});
}

void Catalog::Batch::put_meta(std::string_view key, std::string_view value) {
  m_impl->ops.push_back({meta_cf, Impl::Kind::put, std::string(key), std::string(value)});
}

void Catalog::Batch::put(Table table, std::string_view key, std::string_view value) {
  m_impl->ops.push_back(
      {static_cast<std::size_t>(table), Impl::Kind::put, std::string(key), std::string(value)});
}

void Catalog::Batch::remove(Table table, std::string_view key) {
  m_impl->ops.push_back({static_cast<std::size_t>(table), Impl::Kind::remove, std::string(key), {}});
}

void Catalog::Batch::clear(Table table) {
  m_impl->ops.push_back({static_cast<std::size_t>(table), Impl::Kind::clear, {}, {}});
}

std::size_t Catalog::Batch::count() const { return m_impl->ops.size(); }

Catalog::Catalog(std::filesystem::path dir, std::unique_ptr<Impl> impl)
    : m_dir(std::move(dir)), m_impl(std::move(impl)) {}

Catalog::~Catalog() {
  m_impl.reset(); // the database closes before the lock is let go
  if (m_lock_fd >= 0) {
    ::close(m_lock_fd);
  }
}

std::unique_ptr<Catalog::Impl> Catalog::open_db(const std::filesystem::path& dir, bool read_only) {
  auto options = make_options();
  std::vector<std::string> existing;
  rocksdb::DB::ListColumnFamilies(options, dir.string(), &existing); // none yet for a new catalog
  const auto exists = [&](const std::string& name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  // A read-only open cannot make a table: one that a catalog of an older layout lacks stays
  // without a handle and reads as empty.
  const std::vector<std::string> names = family_names();
  std::vector<bool> opened(names.size(), true);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (std::size_t k = 0; k < names.size(); ++k) {
    opened[k] = !read_only || existing.empty() || exists(names[k]);
    if (opened[k]) {
      descriptors.emplace_back(names[k], rocksdb::ColumnFamilyOptions(options));
    }
  }
  std::vector<std::string> retired;
  for (const auto& name : retired_family_names()) {
    if (exists(name)) {
      retired.push_back(name);
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    }
  }
  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (read_only) {
    status = rocksdb::DB::OpenForReadOnly(options, dir.string(), descriptors, &handles, &raw);
  } else {
    status = rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &raw);
  }
  if (!status.ok()) {
    if (status.IsInvalidArgument() && status.ToString().find("olumn famil") != std::string::npos) {
      fail(dir, "its tables are not those of this version's catalog; if it is an iphone-photo-dedup catalog, "
                "run `iphone-photo-dedup index --rebuild ROOT...`");
    }
    fail(dir, explain(status));
  }
  impl->db.reset(raw);
  // The retired tables' handles come last; written catalogs lose those tables.
  for (std::size_t k = 0; k < retired.size(); ++k) {
    auto* handle = handles.back();
    handles.pop_back();
    if (!read_only) {
      check_status(dir, impl->db->DropColumnFamily(handle));
    }
    impl->db->DestroyColumnFamilyHandle(handle);
  }
  auto next = handles.begin();
  for (std::size_t k = 0; k < names.size(); ++k) {
    impl->families.push_back(opened[k] ? *next++ : nullptr);
  }
  return impl;
}

namespace {

// Checks what `dir` is before a catalog is opened in it; throws Fatal when it cannot be one.
void check_catalog_dir(const std::filesystem::path& dir, Catalog::Access access) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir, ec);
  if (exists && !std::filesystem::is_directory(dir, ec)) {
    fail(dir, "exists and is not a directory");
  }
  if (!exists && access == Catalog::Access::read_only) {
    fail(dir, "not found (run `iphone-photo-dedup index ROOT...` first, or name it with --catalog)");
  }
  if (exists && !looks_like_database(dir) && !std::filesystem::is_regular_file(dir / k_marker_name, ec) &&
      !std::filesystem::is_empty(dir, ec)) {
    fail(dir, "this directory is not an iphone-photo-dedup catalog (refusing to use or change it)");
  }
  if (access == Catalog::Access::read_write) {
    if (const auto tree = materialized_tree_around(dir); !tree.empty()) {
      fail(dir, "lies inside " + tree.string() +
                    ", a tree materialize wrote (deleting its duplicates/ or the tree would delete the "
                    "catalog); keep the catalog outside it");
    }
  }
}

// The writer lock: the catalog folder (made, with its parents, when missing) open and flock'ed.
// Returns its descriptor. An flock outlives RocksDB's own LOCK file, which --rebuild removes.
int lock_catalog(const std::filesystem::path& dir, Catalog::Wait wait) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fail(dir, "cannot make it: " + ec.message());
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fail(dir, "cannot open it: " + errno_text(errno));
  }
  const int how = LOCK_EX | (wait == Catalog::Wait::yes ? 0 : LOCK_NB);
  int rc = 0;
  while ((rc = ::flock(fd, how)) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      fail(dir, "another iphone-photo-dedup is using this catalog (an index run is writing it); wait for it "
                "to finish, or run again with --wait");
    }
    fail(dir, "cannot lock it: " + errno_text(err));
  }
  return fd;
}

// True when the files in `dir` show it is an iphone-photo-dedup catalog even though RocksDB
// cannot open it: only database files, and an OPTIONS file naming this catalog's tables.
bool damaged_but_ours(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!foreign_entries(dir).empty()) {
    return false;
  }
  if (std::filesystem::is_regular_file(dir / k_marker_name, ec)) {
    return true;
  }
  if (!looks_like_database(dir)) {
    return false;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().rfind("OPTIONS-", 0) != 0) {
      continue;
    }
    std::ifstream in(entry.path());
    std::ostringstream read;
    read << in.rdbuf();
    const std::string text = read.str();
    if (text.find("[CFOptions \"files\"]") != std::string::npos &&
        text.find("[CFOptions \"view\"]") != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool opens_as_ours(const std::filesystem::path& dir);

// True for a catalog folder whose making was cut short: it has the marker, no table yet (a
// damaged catalog has them) and no catalog that opens with our magic, which is written first.
bool made_in_part(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(dir / k_marker_name, ec) || !foreign_entries(dir).empty()) {
    return false;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".sst") {
      return false;
    }
  }
  return !(looks_like_database(dir) && opens_as_ours(dir));
}

// True when `dir` opens as our catalog (whatever its schema).
bool opens_as_ours(const std::filesystem::path& dir) {
  auto options = make_options();
  std::vector<std::string> names;
  rocksdb::DB::ListColumnFamilies(options, dir.string(), &names);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(options, dir.string(), descriptors, &handles, &raw).ok()) {
    return false;
  }
  std::string magic;
  const auto status = raw->Get(rocksdb::ReadOptions(), slice(meta_key::magic), &magic);
  for (auto* handle : handles) {
    raw->DestroyColumnFamilyHandle(handle);
  }
  delete raw;
  return status.ok() && magic == k_magic;
}

// Throws Fatal, naming them, when `dir` holds files RocksDB did not make: a catalog folder the
// user put things in is neither deleted nor rebuilt (`what`: "delete", "rebuild").
void check_nothing_foreign(const std::filesystem::path& dir, const char* what) {
  if (const auto foreign = foreign_entries(dir); !foreign.empty()) {
    std::string names;
    for (std::size_t i = 0; i < foreign.size() && i < 5; ++i) {
      names += (i ? ", " : "") + display_path(foreign[i]);
    }
    fail(dir, "it holds " + std::to_string(foreign.size()) + " file(s) the catalog did not make (" + names +
                  (foreign.size() > 5 ? ", ..." : "") + "); move them out of it first (refusing to " + what +
                  " it)");
  }
}

// Starts the catalog in `dir` (which opens as ours) afresh but for its decisions: every other
// table dropped, the meta emptied but for the magic and the schema.
void drop_all_but_decisions(const std::filesystem::path& dir) {
  auto options = make_options();
  options.create_missing_column_families = false;
  std::vector<std::string> families;
  check_status(dir, rocksdb::DB::ListColumnFamilies(options, dir.string(), &families));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : families) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  check_status(dir, rocksdb::DB::Open(options, dir.string(), descriptors, &handles, &raw));
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch meta;
  std::vector<rocksdb::ColumnFamilyHandle*> kept;
  for (std::size_t k = 0; k < families.size(); ++k) {
    if (families[k] == rocksdb::kDefaultColumnFamilyName) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[k]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        meta.Delete(handles[k], it->key());
      }
      check_status(dir, it->status());
      meta.Put(handles[k], slice(meta_key::magic), slice(k_magic));
      meta.Put(handles[k], slice(meta_key::schema), std::to_string(k_catalog_schema));
      kept.push_back(handles[k]);
    } else if (families[k] == k_kept_family) {
      kept.push_back(handles[k]);
    } else {
      check_status(dir, db->DropColumnFamily(handles[k]));
    }
  }
  check_status(dir, db->Write(rocksdb::WriteOptions(), &meta));
  check_status(dir, db->Flush(rocksdb::FlushOptions(), kept));
  for (auto* handle : handles) {
    check_status(dir, db->DestroyColumnFamilyHandle(handle));
  }
}

// Empties the catalog folder `dir` (which must hold nothing but a catalog of ours, maybe
// damaged), keeping the folder itself. Throws Fatal, having removed nothing, otherwise.
void remove_catalog_files(const std::filesystem::path& dir) {
  if (!(looks_like_database(dir) && opens_as_ours(dir)) && !damaged_but_ours(dir)) {
    fail(dir, "this directory is not an iphone-photo-dedup catalog (refusing to delete it)");
  }
  check_nothing_foreign(dir, "delete");
  // The marker goes last: a removal cut short still leaves a folder known for ours.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().filename() != k_marker_name) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
  std::filesystem::remove(dir / k_marker_name, ec);
}

} // namespace

std::unique_ptr<Catalog> Catalog::open(const std::filesystem::path& dir, Access access, Wait wait) {
  check_catalog_dir(dir, access);
  const int lock_fd = access == Access::read_write ? lock_catalog(dir, wait) : -1;
  return open_locked(dir, access, lock_fd);
}

std::unique_ptr<Catalog> Catalog::rebuild(const std::filesystem::path& dir, Wait wait) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    fail(dir, "exists and is not a directory");
  }
  const int lock_fd = lock_catalog(dir, wait);
  try {
    if (std::filesystem::is_empty(dir, ec)) {
      // a new catalog
    } else if (looks_like_database(dir) && opens_as_ours(dir)) {
      check_nothing_foreign(dir, "rebuild");
      check_catalog_dir(dir, Access::read_write);
      drop_all_but_decisions(dir);
    } else {
      remove_catalog_files(dir);
    }
    check_catalog_dir(dir, Access::read_write);
  } catch (...) {
    ::close(lock_fd);
    throw;
  }
  return open_locked(dir, Access::read_write, lock_fd);
}

std::unique_ptr<Catalog> Catalog::open_locked(const std::filesystem::path& dir, Access access, int lock_fd) {
  try {
    std::error_code ec;
    if (!std::filesystem::is_empty(dir, ec) && std::filesystem::exists(dir, ec)) {
      try {
        auto catalog = open_existing(dir, access);
        catalog->m_lock_fd = lock_fd;
        return catalog;
      } catch (const Fatal&) {
        if (!made_in_part(dir)) {
          throw;
        }
        if (access == Access::read_only) {
          fail(dir, "it was being made when its index run was cut short; run `iphone-photo-dedup index "
                    "ROOT...` again");
        }
        remove_catalog_files(dir); // it holds nothing yet: made again below
      }
    } else if (access == Access::read_only) {
      fail(dir, "not found (run `iphone-photo-dedup index ROOT...` first, or name it with --catalog)");
    }
    auto catalog = make_fresh(dir);
    catalog->m_lock_fd = lock_fd;
    return catalog;
  } catch (...) {
    if (lock_fd >= 0) {
      ::close(lock_fd);
    }
    throw;
  }
}

std::unique_ptr<Catalog> Catalog::make_fresh(const std::filesystem::path& dir) {
  std::ofstream(dir / k_marker_name) << k_magic << "\n";
  std::unique_ptr<Catalog> catalog(new Catalog(dir, open_db(dir, false)));
  Batch batch;
  batch.put_meta(meta_key::magic, k_magic);
  batch.put_meta(meta_key::schema, std::to_string(k_catalog_schema));
  catalog->write(batch);
  return catalog;
}

std::unique_ptr<Catalog> Catalog::open_existing(const std::filesystem::path& dir, Access access) {
  // An existing catalog opens read-only until the first write: a re-index that changes nothing
  // then leaves no new write-ahead log behind, and the next open has nothing to replay.
  auto impl = open_db(dir, true);
  impl->reopen_to_write = access == Access::read_write;
  std::unique_ptr<Catalog> catalog(new Catalog(dir, std::move(impl)));
  if (catalog->meta(meta_key::magic) != std::string(k_magic)) {
    fail(dir, "this directory is not an iphone-photo-dedup catalog");
  }
  const auto schema = catalog->meta(meta_key::schema);
  if (schema != std::to_string(k_catalog_schema)) {
    fail(dir, "catalog schema version " + schema.value_or("(none)") +
                  " is not supported (this program reads version " + std::to_string(k_catalog_schema) +
                  "); run `iphone-photo-dedup index --rebuild ROOT...`");
  }
  return catalog;
}

std::unique_ptr<Catalog> Catalog::open_secondary(const std::filesystem::path& dir,
                                                 const std::filesystem::path& work_dir) {
  // Check it the ordinary way first, for the same clear errors.
  open(dir, Access::read_only);
  auto options = make_options();
  options.max_open_files = -1; // a secondary must keep every table file open
  std::vector<std::string> existing;
  check_status(dir, rocksdb::DB::ListColumnFamilies(options, dir.string(), &existing));
  const auto present = [&](const std::string& name) {
    return std::find(existing.begin(), existing.end(), name) != existing.end();
  };
  const std::vector<std::string> names = family_names();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
    if (present(name)) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    }
  }
  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  check_status(dir, rocksdb::DB::OpenAsSecondary(options, dir.string(), work_dir.string(), descriptors,
                                                 &handles, &raw));
  impl->db.reset(raw);
  // A table the primary lacked when the secondary opened reads as empty.
  auto next = handles.begin();
  for (const auto& name : names) {
    impl->families.push_back(present(name) ? *next++ : nullptr);
  }
  return std::unique_ptr<Catalog>(new Catalog(dir, std::move(impl)));
}

void Catalog::catch_up() { check_status(m_dir, m_impl->db->TryCatchUpWithPrimary()); }

void Catalog::destroy(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec) || std::filesystem::is_empty(dir, ec)) {
    return;
  }
  const int lock_fd = lock_catalog(dir, Wait::no);
  try {
    remove_catalog_files(dir);
  } catch (...) {
    ::close(lock_fd);
    throw;
  }
  std::filesystem::remove(dir, ec);
  ::close(lock_fd);
}

void Catalog::for_each_file(const std::function<void(FileRecord&&)>& fn) const {
  if (!m_impl->families[files_cf]) {
    return;
  }
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(read_options, m_impl->families[files_cf]));
  FileRecord record; // reused: its strings keep their capacity from one record to the next
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    record.path.assign(it->key().data(), it->key().size());
    if (!decode({it->value().data(), it->value().size()}, record)) {
      fail(m_dir,
           "undecodable record for " + record.path + "; run `iphone-photo-dedup index --rebuild ROOT...`");
    }
    fn(std::move(record));
  }
  check_status(m_dir, it->status());
}

std::optional<FileRecord> Catalog::file(std::string_view path) const {
  if (!m_impl->families[files_cf]) {
    return std::nullopt;
  }
  std::string value;
  const auto status =
      m_impl->db->Get(rocksdb::ReadOptions(), m_impl->families[files_cf], slice(path), &value);
  if (status.IsNotFound()) {
    return std::nullopt;
  }
  check_status(m_dir, status);
  FileRecord record;
  record.path = std::string(path);
  if (!decode(value, record)) {
    fail(m_dir, "undecodable record for " + record.path);
  }
  return record;
}

std::optional<std::string> Catalog::meta(std::string_view key) const { return get(Table::meta, key); }

std::optional<std::string> Catalog::get(Table table, std::string_view key) const {
  auto* family = m_impl->families[static_cast<std::size_t>(table)];
  if (!family) {
    return std::nullopt;
  }
  std::string value;
  const auto status = m_impl->db->Get(rocksdb::ReadOptions(), family, slice(key), &value);
  if (status.IsNotFound()) {
    return std::nullopt;
  }
  check_status(m_dir, status);
  return value;
}

void Catalog::scan(Table table, std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& fn) const {
  auto* family = m_impl->families[static_cast<std::size_t>(table)];
  if (!family) {
    return;
  }
  std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(rocksdb::ReadOptions(), family));
  for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.substr(0, prefix.size()) != prefix ||
        !fn(key, std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  check_status(m_dir, it->status());
}

void Catalog::write(Batch& batch) {
  if (m_impl->reopen_to_write) {
    m_impl.reset();
    m_impl = open_db(m_dir, false);
  }
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.m_impl->ops) {
    auto* family = m_impl->families[op.family];
    switch (op.kind) {
    case Batch::Impl::Kind::put: wb.Put(family, op.key, op.value); break;
    case Batch::Impl::Kind::remove: wb.Delete(family, op.key); break;
    case Batch::Impl::Kind::clear: {
      std::unique_ptr<rocksdb::Iterator> it(m_impl->db->NewIterator(rocksdb::ReadOptions(), family));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        wb.Delete(family, it->key());
      }
      check_status(m_dir, it->status());
      break;
    }
    }
  }
  check_status(m_dir, m_impl->db->Write(rocksdb::WriteOptions(), &wb));
  m_impl->written = true;
  batch.m_impl->ops.clear();
}

} // namespace ipd
