#include "index/review/thumbnails.hpp"

#include "index/core/error.hpp"
#include "index/core/hash.hpp"
#include "index/core/io.hpp"
#include "index/core/text.hpp"
#include "index/pixels/thumbnail.hpp"
#include "index/review/output.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace ipd::review {

namespace {

namespace fs = std::filesystem;

// The first line of contents.tsv: its layout and the preview size. Previews of another size are
// made again.
const std::string k_contents_header = "iphone-photo-dedup previews 1 " + std::to_string(k_thumbnail_side);
constexpr const char* k_contents_name = "contents.tsv";

// What the catalog says of a file's inode: unchanged, its hash is the one seen before.
using StatKey = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::int64_t, std::int64_t>;

StatKey stat_key(const FileRecord& r) { return {r.dev, r.ino, r.size, r.mtime_ns, r.ctime_ns}; }

// contents.tsv read back; empty when it is missing or of another layout or size (`current` false).
std::map<StatKey, std::uint64_t> read_contents(const fs::path& file, bool& current) {
  std::map<StatKey, std::uint64_t> known;
  std::ifstream in(file);
  std::string line;
  current = std::getline(in, line) && line == k_contents_header;
  if (!current) {
    return known;
  }
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::uint64_t dev = 0, ino = 0, size = 0, hash = 0;
    std::int64_t mtime = 0, ctime = 0;
    if (fields >> dev >> ino >> size >> mtime >> ctime >> std::hex >> hash && hash != 0) {
      known[{dev, ino, size, mtime, ctime}] = hash;
    }
  }
  return known;
}

std::string preview_name(std::uint64_t size, std::uint64_t hash) {
  char name[64];
  std::snprintf(name, sizeof name, "%016llx-%llu.jpg", static_cast<unsigned long long>(hash),
                static_cast<unsigned long long>(size));
  return name;
}

bool is_preview_name(const std::string& name) {
  return name.size() > 21 && name[16] == '-' && name.ends_with(".jpg") &&
         name.find_first_not_of("0123456789abcdef") == 16;
}

bool is_file(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Why a file gets no preview by its kind, or empty when it is a still that can have one.
std::string no_preview_note(const FileRecord& r) {
  if (r.kind == Kind::movie) {
    return "a movie: no preview";
  }
  if (r.kind != Kind::still) {
    return "not a picture: no preview";
  }
  if (is_raw(r.format)) {
    return "a RAW image: no preview";
  }
  return {};
}

// The making of the previews: the cache, what is known of the files, and the counts.
class Previewer {
public:
  Previewer(const fs::path& thumbs, std::map<StatKey, std::uint64_t> known)
      : m_thumbs(thumbs), m_known(std::move(known)) {}

  // The preview of one file, and the hash of its content (0 when not known).
  Preview preview(const FileRecord& r, std::uint64_t& hash) {
    Preview out;
    out.note = no_preview_note(r);
    if (!out.note.empty()) {
      return out;
    }
    hash = r.content_hash;
    if (hash == 0) {
      const auto it = m_known.find(stat_key(r));
      hash = it == m_known.end() ? 0 : it->second;
    }
    if (hash != 0 && is_file(m_thumbs / preview_name(r.size, hash))) {
      ++reused;
      out.url = "thumbs/" + preview_name(r.size, hash);
      return out;
    }
    return from_bytes(r, hash);
  }

  std::atomic<std::uint64_t> made{0};
  std::atomic<std::uint64_t> reused{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> bytes_read{0};

private:
  // Reads the file (unchanged since the last index) and makes its preview unless its content
  // already has one.
  Preview from_bytes(const FileRecord& r, std::uint64_t& hash) {
    Preview out;
    std::string error;
    const int fd = open_input(r.path.c_str(), error);
    if (fd < 0) {
      return {"", error, true};
    }
    FdGuard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != r.size ||
        timespec_ns(st.st_mtim) != r.mtime_ns) {
      return {"", "changed since the last index: run index first", true};
    }
    MappedFile mapped;
    if (!mapped.map(fd, r.size, error)) {
      return {"", error, true};
    }
    bytes_read += r.size;
    hash = content_hash(mapped.bytes());
    const std::string name = preview_name(r.size, hash);
    out.url = "thumbs/" + name;
    if (is_file(m_thumbs / name)) {
      ++reused;
      return out;
    }
    std::string jpeg;
    if (!make_thumbnail(mapped.bytes(), r.format, k_thumbnail_side, jpeg, error)) {
      ++failed;
      return {"", error, false};
    }
    if (!write_whole(m_thumbs / name, jpeg, error)) {
      throw Fatal(error);
    }
    ++made;
    return out;
  }

  fs::path m_thumbs;
  std::map<StatKey, std::uint64_t> m_known; // read only while the previews are made
};

// Deletes the previews in `thumbs` that are not in `used`; returns how many.
std::uint64_t remove_unused(const fs::path& thumbs, const std::set<std::string>& used) {
  std::uint64_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(thumbs, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_preview_name(name) && !used.count(name) && ::unlink(entry.path().c_str()) == 0) {
      ++removed;
    }
  }
  return removed;
}

} // namespace

PreviewReport make_previews(const Model& model, const std::vector<std::size_t>& wanted, const fs::path& dir,
                            Progress* progress) {
  const fs::path thumbs = dir / "thumbs";
  std::error_code ec;
  fs::create_directories(thumbs, ec);
  if (ec) {
    throw Fatal("cannot make " + thumbs.string() + ": " + ec.message());
  }
  bool current = false;
  auto known = read_contents(thumbs / k_contents_name, current);
  if (!current) {
    remove_unused(thumbs, {}); // previews of another size or layout
  }
  Previewer previewer(thumbs, std::move(known));
  PreviewReport report;
  report.previews.resize(model.files.size());
  std::vector<std::uint64_t> hashes(wanted.size(), 0);
  {
    ProgressPass pass(progress, "making previews", wanted.size());
    tbb::parallel_for(std::size_t{0}, wanted.size(), [&](std::size_t k) {
      const FileRecord& r = model.files[wanted[k]].record;
      report.previews[wanted[k]] = previewer.preview(r, hashes[k]);
      pass.advance(1);
    });
  }
  std::string contents = k_contents_header + "\n";
  std::set<std::string> used;
  for (std::size_t k = 0; k < wanted.size(); ++k) {
    const FileRecord& r = model.files[wanted[k]].record;
    if (hashes[k] != 0) {
      char line[160];
      std::snprintf(line, sizeof line, "%llu %llu %llu %lld %lld %llx\n",
                    static_cast<unsigned long long>(r.dev), static_cast<unsigned long long>(r.ino),
                    static_cast<unsigned long long>(r.size), static_cast<long long>(r.mtime_ns),
                    static_cast<long long>(r.ctime_ns), static_cast<unsigned long long>(hashes[k]));
      contents += line;
    }
    if (const std::string& url = report.previews[wanted[k]].url; !url.empty()) {
      used.insert(url.substr(url.find('/') + 1));
    }
  }
  std::string error;
  if (!write_whole(thumbs / k_contents_name, contents, error)) {
    throw Fatal(error);
  }
  report.removed = remove_unused(thumbs, used);
  report.made = previewer.made;
  report.reused = previewer.reused;
  report.failed = previewer.failed;
  report.bytes_read = previewer.bytes_read;
  return report;
}

} // namespace ipd::review
