#include "index/read/indexer.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/read/filetype.hpp"
#include "index/read/integrity.hpp"
#include "index/read/metadata.hpp"
#include "index/read/scan.hpp"
#include "index/read/storage.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace ipd {

namespace {

constexpr std::size_t k_chunk = 64;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Whether the file is the one the record describes. A new link count with a new ctime and
// nothing else changed is a hard link made or removed (materialize makes them), not a change
// of the file (docs/DESIGN.md §7).
bool same_file(const ScanEntry& a, const FileRecord& b) {
  const bool times = a.ctime_ns == b.ctime_ns || a.nlink != b.nlink;
  return a.dev == b.dev && a.ino == b.ino && a.size == b.size && a.mtime_ns == b.mtime_ns && times &&
         a.mode == b.mode && a.link_target == b.link_target;
}

void init_readers() {
  static std::once_flag once;
  std::call_once(once, [] { init_still_metadata(); });
}

// The devices the roots are on.
std::vector<std::uint64_t> root_devices(const std::vector<std::string>& roots) {
  std::vector<std::uint64_t> out;
  for (const auto& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) == 0) {
      out.push_back(st.st_dev);
    }
  }
  return out;
}

// The index of the root in `roots` that holds `path` (the longest), if any.
std::optional<std::size_t> root_index(const std::vector<std::string>& roots, std::string_view path) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    if (is_inside(path, roots[i]) && (!best || roots[i].size() > roots[*best].size())) {
      best = i;
    }
  }
  return best;
}

// The catalog's roots without `forget` (each must be one of them, given as it was indexed or as
// a path that resolves to it), plus `add` (each must be there).
std::vector<std::string> roots_after(const std::vector<std::string>& known,
                                     const std::vector<std::filesystem::path>& add,
                                     const std::vector<std::filesystem::path>& forget, IndexReport& report) {
  std::vector<std::string> roots = known;
  for (const auto& path : forget) {
    std::error_code ec;
    const std::string lexical = std::filesystem::absolute(path, ec).lexically_normal().string();
    const std::string canonical = std::filesystem::weakly_canonical(path, ec).string();
    const auto it = std::find_if(roots.begin(), roots.end(), [&](const std::string& root) {
      const std::string trimmed =
          lexical.size() > 1 && lexical.back() == '/' ? lexical.substr(0, lexical.size() - 1) : lexical;
      return root == trimmed || root == canonical;
    });
    if (it == roots.end()) {
      std::string list;
      for (const auto& root : known) {
        list += "\n  " + display_path(root);
      }
      throw Fatal(display_path(path.string()) + " is not a root of this catalog; its roots are:" +
                  (list.empty() ? std::string(" (none)") : list));
    }
    report.forgotten.push_back(*it);
    roots.erase(it);
  }
  for (const auto& root : resolve_roots(add, report.notes)) {
    if (std::find(known.begin(), known.end(), root) == known.end()) {
      report.added_roots.push_back(root);
    }
    roots.push_back(root);
  }
  return outermost_roots(std::move(roots), report.notes);
}

// Sets report.roots (and added, forgotten, missing); returns, for each root, whether it is
// missing (not walked: its records are kept).
std::vector<bool> choose_roots(const Catalog& catalog, const IndexOptions& options, IndexReport& report) {
  const std::vector<std::string> known = decode_roots(catalog.meta(meta_key::roots).value_or(""));
  report.roots = roots_after(known, options.roots, options.forget, report);
  std::vector<bool> missing(report.roots.size(), false);
  for (std::size_t i = 0; i < report.roots.size(); ++i) {
    std::error_code ec;
    if (!std::filesystem::is_directory(report.roots[i], ec)) {
      missing[i] = true;
      report.missing.push_back(report.roots[i]);
    }
  }
  return missing;
}

// Sets the record's error from what the completeness check and the reader found: the check's
// words when the file is cut short or corrupt, else the reader's; and whether it is damaged.
void judge_completeness(FileRecord& record, const Completeness& complete, MediaInfo& info) {
  record.damaged = false;
  record.missing_percent = 0;
  if (complete.state == Completeness::State::complete) {
    record.error = std::move(info.error);
    record.error_detail = std::move(info.error_detail);
    return;
  }
  record.error = complete.what;
  record.error_detail.clear();
  // Planned though damaged: a photo cut short whose metadata was read, with part of its picture
  // there (docs/DESIGN.md §6). A movie cut short, or a file with nothing left to show, is not.
  if (complete.state == Completeness::State::cut_short && complete.shows_picture && info.error.empty() &&
      record.kind == Kind::still) {
    record.damaged = true;
    record.missing_percent = missing_percent(record.size, complete.needs);
  }
}

} // namespace

bool read_file(FileRecord& record, Sniffer& sniffer) {
  std::string error;
  const int fd = open_input(record.path.c_str(), error);
  if (fd < 0) {
    record.error = error;
    return false;
  }
  FdGuard guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) == 0) {
    record.size = static_cast<std::uint64_t>(st.st_size);
    record.mtime_ns = timespec_ns(st.st_mtim);
    record.ctime_ns = timespec_ns(st.st_ctim);
  }
  MappedFile file;
  if (!file.map(fd, record.size, error)) {
    record.error = error;
    return true;
  }
  const auto bytes = file.bytes();
  const Sniffed sniffed = sniffer.sniff(bytes.first(std::min(bytes.size(), k_sniff_bytes)), record.path);
  record.format = sniffed.format;
  record.kind = sniffed.kind;
  record.mime = sniffed.mime;
  if (record.size == 0) {
    record.error = "empty file (0 bytes)";
    return true;
  }

  MediaInfo info;
  if (record.kind == Kind::still) {
    info = read_still_metadata(bytes, record.format);
  } else if (record.kind == Kind::movie) {
    info = read_movie_metadata(fd, record.size);
  }
  record.capture = info.capture;
  record.make = std::move(info.make);
  record.model = std::move(info.model);
  record.software = std::move(info.software);
  record.width = info.width;
  record.height = info.height;
  record.orientation = info.orientation;
  record.content_id = std::move(info.content_id);
  record.burst_id = std::move(info.burst_id);
  record.apple_makernote = info.apple_makernote;
  record.duration_ms = info.duration_ms;
  record.original_raw = std::move(info.original_raw);
  judge_completeness(record, assess_complete(record.format, bytes), info);
  return true;
}

bool to_be_read(const FileRecord& record) {
  return record.kind != Kind::symlink && record.kind != Kind::dir && record.error.empty();
}

// Asks the kernel to start reading the parts of a file the readers look at — the head (types,
// EXIF, box and segment headers) and the tail (the JPEG end marker, a movie's index) — so that
// many reads are in flight while the readers wait on few. Never blocks on the data.
void read_ahead(const FileRecord& record) {
  constexpr off_t k_head = 256 * 1024;
  constexpr off_t k_tail = 64 * 1024;
  std::string error;
  const int fd = open_input(record.path.c_str(), error);
  if (fd < 0) {
    return;
  }
  const auto size = static_cast<off_t>(record.size);
  ::posix_fadvise(fd, 0, std::min(size, k_head), POSIX_FADV_WILLNEED);
  if (size > k_head) {
    ::posix_fadvise(fd, std::max(k_head, size - k_tail), k_tail, POSIX_FADV_WILLNEED);
  }
  ::close(fd);
}

// Reads every record of `files` with the threads of the current task arena — or one at a time,
// in the order given, when `one_at_a_time` — while the input stage reads ahead of them; a serial
// stage writes them to the catalog in batches of k_chunk, with whatever `batch` already holds.
// Returns how many files it opened.
std::uint64_t read_files(Catalog& catalog, Catalog::Batch& batch, std::vector<FileRecord>& files,
                         bool one_at_a_time, const IndexOptions& options) {
  constexpr std::size_t k_read_ahead_files = 512;
  std::size_t ahead = 0; // files[0, ahead) were read ahead
  const auto jobs = static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
  tbb::enumerable_thread_specific<std::unique_ptr<Sniffer>> sniffers;
  std::size_t issued = 0;
  std::atomic<std::uint64_t> opened{0};
  std::uint64_t total_bytes = 0;
  for (const auto& file : files) {
    total_bytes += file.size;
  }
  const ProgressPass progress(options.progress, "reading files", files.size(), total_bytes);
  tbb::parallel_pipeline(
      jobs * 4,
      tbb::make_filter<void, std::pair<std::size_t, std::size_t>>(
          tbb::filter_mode::serial_in_order,
          [&](tbb::flow_control& fc) -> std::pair<std::size_t, std::size_t> {
            if (issued >= files.size()) {
              fc.stop();
              return {0, 0};
            }
            const std::size_t begin = issued;
            issued = std::min(files.size(), issued + k_chunk);
            for (; !one_at_a_time && ahead < std::min(files.size(), issued + k_read_ahead_files); ++ahead) {
              if (to_be_read(files[ahead])) {
                read_ahead(files[ahead]);
              }
            }
            return {begin, issued};
          }) &
          tbb::make_filter<std::pair<std::size_t, std::size_t>, std::pair<std::size_t, std::size_t>>(
              one_at_a_time ? tbb::filter_mode::serial_in_order : tbb::filter_mode::parallel,
              [&](std::pair<std::size_t, std::size_t> range) {
                auto& sniffer = sniffers.local();
                if (!sniffer) {
                  sniffer = std::make_unique<Sniffer>();
                }
                for (std::size_t i = range.first; i < range.second; ++i) {
                  FileRecord& record = files[i];
                  if (to_be_read(record)) {
                    opened += read_file(record, *sniffer) ? 1 : 0;
                  }
                }
                return range;
              }) &
          tbb::make_filter<std::pair<std::size_t, std::size_t>, void>(
              tbb::filter_mode::serial_in_order, [&](std::pair<std::size_t, std::size_t> range) {
                for (std::size_t i = range.first; i < range.second; ++i) {
                  batch.put_file(files[i]);
                }
                catalog.write(batch);
                std::uint64_t bytes = 0;
                for (std::size_t i = range.first; i < range.second; ++i) {
                  bytes += files[i].size;
                }
                progress.advance(range.second - range.first, bytes);
              }));
  return opened;
}

IndexReport run_index(Catalog& catalog, const IndexOptions& options) {
  IndexReport report;
  auto start = Clock::now();

  // 1. Walk.
  const std::vector<bool> missing = choose_roots(catalog, options, report);
  ScanExclude exclude;
  struct stat st {};
  if (::stat(catalog.dir().c_str(), &st) == 0) {
    exclude = {st.st_dev, st.st_ino};
  }
  ScanResult scan = scan_roots(report.roots, exclude, missing);
  report.same_filesystem = scan.same_filesystem;

  // 2. Merge with the catalog: both are in path (byte) order.
  Catalog::Batch batch;
  const std::string readers = std::to_string(k_readers_version);
  const bool stale = catalog.meta(meta_key::readers) != readers; // none: made before versions were kept
  std::vector<FileRecord> to_read;
  const std::vector<ScanEntry>& found = scan.files;
  std::size_t next = 0;
  auto take_unmatched_up_to = [&](const std::string* path) {
    while (next < found.size() && (!path || found[next].path < *path)) {
      to_read.push_back(to_record(found[next++]));
      ++report.added;
    }
  };
  catalog.for_each_file([&](FileRecord&& old) {
    take_unmatched_up_to(&old.path);
    if (next < found.size() && found[next].path == old.path) {
      const ScanEntry& now = found[next];
      if (!stale && same_file(now, old) && now.kind != Kind::dir && now.error.empty()) {
        ++report.unchanged;
        if (old.root != now.root || old.nlink != now.nlink || old.ctime_ns != now.ctime_ns) {
          old.root = now.root;
          old.nlink = now.nlink;
          old.ctime_ns = now.ctime_ns;
          batch.put_file(old);
        }
        if (!old.error.empty()) {
          report.errors.push_back(std::move(old));
        }
      } else {
        to_read.push_back(to_record(now));
        ++report.changed;
        report.reread = stale;
      }
      ++next;
    } else if (const auto root = root_index(report.roots, old.path); root && missing[*root]) {
      ++report.kept_missing; // its disk may be unplugged: kept until its root is forgotten
      if (old.root != *root) {
        old.root = static_cast<std::uint32_t>(*root);
        batch.put_file(old);
      }
    } else {
      batch.delete_file(old.path);
      ++report.removed;
    }
  });
  take_unmatched_up_to(nullptr);
  if (report.added + report.changed + report.removed > 0) {
    // Goes with the first write: until a plan of these records is written, the view is not theirs.
    batch.put_meta(meta_key::plan_pending, "1");
  }
  report.scan_seconds = seconds_since(start);

  // 3. Read new and changed files in parallel; write them in batches from one serial stage.
  start = Clock::now();
  if (!to_read.empty()) {
    init_readers();
    report.one_at_a_time =
        options.order == ReadOrder::automatic && any_rotational(root_devices(report.roots), options.sysfs);
    if (report.one_at_a_time) {
      // A spinning disk seeks least in inode order.
      std::sort(to_read.begin(), to_read.end(), [](const FileRecord& a, const FileRecord& b) {
        return std::tie(a.dev, a.ino) < std::tie(b.dev, b.ino);
      });
    }
    report.opened = read_files(catalog, batch, to_read, report.one_at_a_time, options);
  }
  report.read_seconds = seconds_since(start);

  // 4. Meta.
  report.files = found.size() + report.kept_missing;
  for (auto& record : to_read) {
    if (!record.error.empty()) {
      report.errors.push_back(std::move(record));
    }
  }
  std::sort(report.errors.begin(), report.errors.end(),
            [](const FileRecord& a, const FileRecord& b) { return a.path < b.path; });
  const std::string roots = encode_roots(report.roots);
  const std::string same_fs = report.same_filesystem ? "1" : "0";
  if (catalog.meta(meta_key::roots) != roots || catalog.meta(meta_key::same_filesystem) != same_fs) {
    batch.put_meta(meta_key::roots, roots);
    batch.put_meta(meta_key::same_filesystem, same_fs);
  }
  if (catalog.meta(meta_key::readers) != readers) {
    batch.put_meta(meta_key::readers, readers);
  }
  if (batch.count() > 0) {
    catalog.write(batch);
  }
  return report;
}

} // namespace ipd
