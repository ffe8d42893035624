// Making one path of the view: a hard link, a clone, a copy or a symlink of its input (README.txt
// written from the view). When something already stands there (EEXIST), the slow path settles
// it: the right file, an earlier file of this tool to replace, or a conflict left untouched.
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/folders.hpp"
#include "index/materialize/run.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <thread>
#include <unistd.h>

namespace ipd::materialize_detail {

namespace {

void note(std::vector<MaterializeIssue>& list, const Item& item, std::string what) {
  list.push_back({std::string(item.path), std::move(what)});
}

// A dry run's "make" of `item`.
void plan_make(Partial& out, const Item& item) {
  out.planned.push_back({std::string(item.path), "make"});
  ++out.made;
}

} // namespace

// ---- making a file -----------------------------------------------------------------------------

MadeKind Run::kind_for(const Item& item) const {
  if (item.generated) {
    return MadeKind::generated;
  }
  switch (m_options.mode) {
  case MaterializeMode::hardlink: return MadeKind::link;
  case MaterializeMode::reflink: return MadeKind::clone;
  case MaterializeMode::copy: return MadeKind::copy;
  case MaterializeMode::symlink: return MadeKind::symlink;
  }
  return MadeKind::link;
}

// What is about to be made for `item`, as far as it is known before it is made (the source
// left out: it is the item's).
Made Run::intended(const Item& item) const {
  Made m;
  m.kind = kind_for(item);
  if (m.kind == MadeKind::generated) {
    m.size = item.content.size();
  } else if (m.kind == MadeKind::link) {
    m = made_from(item.src.dev, item.src.ino, item.src.size, item.src.mtime, m.kind);
  } else if (m.kind != MadeKind::symlink) {
    m.size = item.src.size;
    m.mtime_ns = timespec_ns(item.src.mtime);
  }
  return m;
}

// Makes `item` at dirfd/name; 0 or errno (EEXIST: something is there). Sets `made`, and
// `error` when the input could not be opened.
int Run::create(const Item& item, int dirfd, const char* name, Made& made, std::string& error) const {
  const MadeKind kind = kind_for(item);
  if (kind == MadeKind::generated) {
    struct stat st {};
    const int err = create_file(
        dirfd, name, 0644, [&](int fd) { return write_all(fd, item.content) ? 0 : errno; }, st);
    if (!err) {
      made = made_from(st, kind, {});
    }
    return err;
  }
  if (kind == MadeKind::link || kind == MadeKind::symlink) {
    const int rc =
        kind == MadeKind::link
            ? at_any_depth(item.source,
                           [&](int at, const char* source) { return ::linkat(at, source, dirfd, name, 0); })
            : ::symlinkat(item.source.data(), dirfd, name);
    if (rc != 0) {
      return errno;
    }
    made = intended(item);
    return 0;
  }
  return create_from_input(item, kind, dirfd, name, made, error);
}

// A clone or a copy of the input of `item`, with its mode bits and times.
int Run::create_from_input(const Item& item, MadeKind kind, int dirfd, const char* name, Made& made,
                           std::string& error) const {
  const int in = open_input(item.source.data(), error);
  if (in < 0) {
    return EIO;
  }
  FdGuard in_guard(in);
  struct stat src {};
  if (::fstat(in, &src) != 0) {
    return errno;
  }
  struct stat st {};
  const int err = create_file(
      dirfd, name, src.st_mode & 0777,
      [&](int fd) {
        int e = kind == MadeKind::clone ? (::ioctl(fd, FICLONE, in) == 0 ? 0 : errno) : copy_bytes(in, fd);
        const timespec times[2] = {src.st_atim, src.st_mtim};
        if (!e && ::futimens(fd, times) != 0) {
          e = errno;
        }
        return e;
      },
      st);
  if (!err) {
    made = made_from(st, kind, {});
  }
  return err;
}

std::string Run::create_error(int err, const std::string& open_error) const {
  if (!open_error.empty()) {
    return open_error;
  }
  std::string text = "cannot make: " + errno_text(err);
  if (m_options.mode == MaterializeMode::hardlink && err == EPERM) {
    text += " (the kernel refuses hard links to files of other users: fs.protected_hardlinks; "
            "use --mode copy)";
  } else if (m_options.mode == MaterializeMode::reflink && cannot_clone(err)) {
    text += " (the filesystem cannot clone this file: use --mode copy)";
  } else if (err == EXDEV) {
    text += " (another filesystem)";
  }
  return text;
}

// ---- what is there already ---------------------------------------------------------------------

// True when dirfd/name (`st`) already holds the right file for `item`.
bool Run::is_right(const Item& item, int dirfd, const char* name, const struct stat& st) const {
  const MadeKind kind = kind_for(item);
  if (kind == MadeKind::symlink) {
    return S_ISLNK(st.st_mode) && symlink_target(dirfd, name) == item.source;
  }
  if (!S_ISREG(st.st_mode)) {
    return false;
  }
  if (kind == MadeKind::generated) {
    if (std::uint64_t(st.st_size) != item.content.size()) {
      return false;
    }
    const auto there = read_at(dirfd, name);
    return there && *there == item.content;
  }
  if (kind == MadeKind::link) {
    return st.st_dev == item.src.dev && st.st_ino == item.src.ino;
  }
  return same_content(item, dirfd, name, st);
}

// For a clone or a copy: the regular file dirfd/name (`st`) holds the bytes of the input.
bool Run::same_content(const Item& item, int dirfd, const char* name, const struct stat& st) const {
  if (std::uint64_t(st.st_size) != item.src.size) {
    return false;
  }
  // A copy it made from this very version of the input, untouched since: no need to read it.
  const auto it = m_manifest.find(item.path);
  if (it != m_manifest.end() && matches(it->second, st, dirfd, name) && it->second.source == item.source &&
      timespec_ns(st.st_mtim) == timespec_ns(item.src.mtime)) {
    return true;
  }
  std::string error;
  const int in = open_input(item.source.data(), error);
  const int there = ::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  FdGuard in_guard(in);
  FdGuard there_guard(there);
  return in >= 0 && there >= 0 && same_bytes(in, there);
}

// ---- one path ----------------------------------------------------------------------------------

// One view file, m_items[index], in folder `dirfd`. Reads m_manifest, never changes it: what
// changes is noted per item (m_marks) and applied after the pass.
void Run::place(Partial& out, std::size_t index, int dirfd) {
  const Item& item = m_items[index];
  if (dirfd == Folders::k_missing) { // dry run, folder not there yet
    if (input_ok(item)) {
      plan_make(out, item);
    } else {
      note(out.errors, item, input_problem(item));
    }
    return;
  }
  const std::string leaf(leaf_of(item.path));
  const char* name = leaf.c_str();
  if (!m_options.dry_run && input_ok(item) && make_new(out, index, dirfd, name) != EEXIST) {
    return;
  }
  struct stat st {};
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    const int err = errno;
    if (err == ENOENT && input_ok(item)) { // dry run
      plan_make(out, item);
    } else if (err == ENOENT) {
      note(out.errors, item, input_problem(item));
    } else {
      note(out.errors, item, "cannot stat: " + errno_text(err));
    }
    return;
  }
  settle(out, index, dirfd, name, st);
}

// Makes m_items[index] where nothing stands; returns 0 or the errno (reported unless EEXIST).
int Run::make_new(Partial& out, std::size_t index, int dirfd, const char* name) {
  const Item& item = m_items[index];
  Made made;
  std::string open_error;
  const int err = create(item, dirfd, name, made, open_error);
  if (err == 0) {
    ++out.made;
    ours_now(index, made, m_manifest.find(item.path) != m_manifest.end());
    pause();
  } else if (err != EEXIST) {
    note(out.errors, item, create_error(err, open_error));
  }
  return err;
}

// The slow path: `st` stands at the path of m_items[index]. The right file stays; an earlier
// file of ours that the view now wants otherwise is replaced; anything else is a conflict.
void Run::settle(Partial& out, std::size_t index, int dirfd, const char* name, const struct stat& st) {
  const Item& item = m_items[index];
  const auto ours = m_manifest.find(item.path);
  const bool is_ours = ours != m_manifest.end() && matches(ours->second, st, dirfd, name);
  if (!input_ok(item)) {
    // The input is gone, but the file made from it stands: nothing to do.
    if (is_ours) {
      ++out.already;
    } else {
      note(out.errors, item, input_problem(item));
    }
    return;
  }
  if (is_right(item, dirfd, name, st)) {
    ++out.already;
    if (is_ours) {
      ours_now(index, made_from(st, kind_for(item), {}), true);
    }
    return;
  }
  if (!is_ours) {
    m_marks[index].drop = ours != m_manifest.end(); // replaced by the user: theirs now
    note(out.conflicts, item, describe(dirfd, name, st));
    return;
  }
  if (!survives(ours->second, st)) {
    note(out.conflicts, item,
         "a file this tool made earlier from " + display_path(ours->second.source) +
             ", whose input is gone: the last copy, kept (move it away to make room)");
    return;
  }
  if (m_options.dry_run) {
    out.planned.push_back({std::string(item.path), "replace"});
    ++out.made;
    ++out.replaced;
    return;
  }
  replace(out, index, dirfd, name);
}

// An earlier file of ours that the view now wants otherwise: remove it, then make anew (a kill
// in between leaves the path empty, and the next run makes it).
void Run::replace(Partial& out, std::size_t index, int dirfd, const char* name) {
  const Item& item = m_items[index];
  if (::unlinkat(dirfd, name, 0) != 0) {
    note(out.errors, item, "cannot replace an earlier file: " + errno_text(errno));
    return;
  }
  m_marks[index].drop = true;
  Made made;
  std::string open_error;
  if (const int err = create(item, dirfd, name, made, open_error)) {
    note(out.errors, item, create_error(err, open_error));
    return;
  }
  ++out.made;
  ++out.replaced;
  ours_now(index, made, true);
  pause();
}

// m_items[index] now holds `made`, made by this tool; the earlier entry of it (if any) goes.
void Run::ours_now(std::size_t index, const Made& made, bool drop_earlier) {
  Mark& mark = m_marks[index];
  mark = {made.dev, made.ino, made.size, made.mtime_ns, made.kind, true, drop_earlier || mark.drop};
}

// The test hook of MaterializeOptions::pause, after each file made.
void Run::pause() const {
  if (m_options.pause.count() > 0) {
    std::this_thread::sleep_for(m_options.pause);
  }
}

} // namespace ipd::materialize_detail
