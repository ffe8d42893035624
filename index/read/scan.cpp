#include "index/read/scan.hpp"

#include "index/core/error.hpp"
#include "index/core/io.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipd {

namespace {

void fill_stat(ScanEntry& record, const struct stat& st) {
  record.dev = st.st_dev;
  record.ino = st.st_ino;
  record.size = static_cast<std::uint64_t>(st.st_size);
  record.mtime_ns = timespec_ns(st.st_mtim);
  record.ctime_ns = timespec_ns(st.st_ctim);
  record.mode = st.st_mode;
  record.nlink = static_cast<std::uint32_t>(st.st_nlink);
}

const char* special_name(mode_t mode) {
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  return "not a regular file";
}

class Walker {
public:
  Walker(const ScanExclude& exclude, ScanResult& out) : m_exclude(exclude), m_out(out) {}

  void walk_root(const std::string& root, std::uint32_t index) {
    m_root = index;
    walk_dir(root, AT_FDCWD, root);
  }

private:
  const ScanExclude& m_exclude;
  ScanResult& m_out;
  std::uint32_t m_root = 0;

  void add_error(const std::string& path, Kind kind, const std::string& error) {
    ScanEntry record;
    record.path = path;
    record.root = m_root;
    record.kind = kind;
    record.error = error;
    m_out.files.push_back(std::move(record));
  }

  // Walks folder `dir`, which is `name` in the folder `parent` (or a path from AT_FDCWD): by
  // descriptor, so that depth is no limit. A folder's descriptor stays open while its
  // subfolders are walked (one per level).
  void walk_dir(const std::string& dir, int parent, const std::string& name) {
    constexpr int k_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(parent, name.c_str(), k_flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) {
      fd = ::openat(parent, name.c_str(), k_flags);
    }
    if (fd < 0) {
      add_error(dir, Kind::dir, "cannot read directory: " + errno_text(errno));
      return;
    }
    FdGuard folder(fd);
    const int listing = ::dup(fd);
    DIR* d = listing < 0 ? nullptr : ::fdopendir(listing);
    if (!d) {
      if (listing >= 0) {
        ::close(listing);
      }
      add_error(dir, Kind::dir, "cannot read directory: " + errno_text(errno));
      return;
    }
    // Read the whole directory first so that only one listing is open at a time.
    std::vector<std::pair<std::string, std::string>> subdirs; // path, name
    errno = 0;
    while (const dirent* entry = ::readdir(d)) {
      const std::string_view entry_name = entry->d_name;
      if (entry_name == "." || entry_name == "..") {
        continue;
      }
      std::string path = dir;
      if (path.back() != '/') {
        path += '/';
      }
      path += entry_name;
      struct stat st {};
      if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        add_error(path, Kind::other, "cannot stat: " + errno_text(errno));
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (st.st_dev != m_exclude.dev || st.st_ino != m_exclude.ino) {
          subdirs.emplace_back(std::move(path), std::string(entry_name));
        }
        continue;
      }
      ScanEntry record;
      record.path = std::move(path);
      record.root = m_root;
      fill_stat(record, st);
      if (S_ISLNK(st.st_mode)) {
        record.kind = Kind::symlink;
        char target[4096];
        const ssize_t n = ::readlinkat(fd, entry->d_name, target, sizeof target);
        if (n >= 0) {
          record.link_target.assign(target, static_cast<std::size_t>(n));
        }
      } else if (!S_ISREG(st.st_mode)) {
        record.error = std::string("not read: ") + special_name(st.st_mode);
      }
      m_out.files.push_back(std::move(record));
      errno = 0;
    }
    if (errno != 0) {
      add_error(dir, Kind::dir, "cannot read the whole directory: " + errno_text(errno));
    }
    ::closedir(d);
    for (const auto& [sub, sub_name] : subdirs) {
      walk_dir(sub, fd, sub_name);
    }
  }
};

} // namespace

FileRecord to_record(const ScanEntry& entry) {
  FileRecord record;
  record.path = entry.path;
  record.link_target = entry.link_target;
  record.error = entry.error;
  record.kind = entry.kind;
  record.root = entry.root;
  record.dev = entry.dev;
  record.ino = entry.ino;
  record.size = entry.size;
  record.mtime_ns = entry.mtime_ns;
  record.ctime_ns = entry.ctime_ns;
  record.mode = entry.mode;
  record.nlink = entry.nlink;
  return record;
}

std::vector<std::string> resolve_roots(const std::vector<std::filesystem::path>& roots,
                                       std::vector<std::string>& notes) {
  std::vector<std::string> resolved;
  for (const auto& root : roots) {
    std::error_code ec;
    auto canonical = std::filesystem::canonical(root, ec);
    if (ec) {
      throw Fatal(root.string() + ": " + ec.message());
    }
    if (!std::filesystem::is_directory(canonical, ec)) {
      throw Fatal(root.string() + ": not a directory");
    }
    resolved.push_back(canonical.string());
  }
  return outermost_roots(std::move(resolved), notes);
}

std::vector<std::string> outermost_roots(std::vector<std::string> roots, std::vector<std::string>& notes) {
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  std::vector<std::string> kept;
  for (const auto& root : roots) {
    const bool inside = std::any_of(kept.begin(), kept.end(), [&](const std::string& outer) {
      return outer == "/" || root.compare(0, outer.size() + 1, outer + "/") == 0;
    });
    if (inside) {
      notes.push_back(root + " lies inside another root; indexed once, as part of it");
    } else {
      kept.push_back(root);
    }
  }
  return kept;
}

ScanResult scan_roots(const std::vector<std::string>& roots, const ScanExclude& exclude,
                      const std::vector<bool>& skip) {
  ScanResult out;
  Walker walker(exclude, out);
  std::uint64_t dev = 0;
  bool first = true;
  for (std::uint32_t i = 0; i < roots.size(); ++i) {
    if (i < skip.size() && skip[i]) {
      continue;
    }
    struct stat st {};
    if (::stat(roots[i].c_str(), &st) == 0) {
      if (first) {
        dev = st.st_dev;
        first = false;
      } else if (st.st_dev != dev) {
        out.same_filesystem = false;
      }
    }
    walker.walk_root(roots[i], i);
  }
  for (const auto& file : out.files) {
    if (file.kind != Kind::dir && file.dev != 0 && file.dev != dev) {
      out.same_filesystem = false;
      break;
    }
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const ScanEntry& a, const ScanEntry& b) { return a.path < b.path; });
  return out;
}

} // namespace ipd
