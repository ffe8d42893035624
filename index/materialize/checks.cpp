// The checks of a run before anything is written: OUTDIR apart from the input roots and a folder
// (or to be made), on the inputs' filesystem for hard links, locked against another run, and
// able to clone from every input filesystem for reflinks.
#include "index/core/error.hpp"
#include "index/core/io.hpp"
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/materialize/at.hpp"
#include "index/materialize/run.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <set>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace ipd::materialize_detail {

namespace {

// The root a source lies under (the longest), else its folder.
std::string root_of(std::string_view source, const std::vector<std::string>& roots) {
  std::string best;
  for (const auto& root : roots) {
    if (is_inside(source, root) && root.size() >= best.size()) {
      best = root;
    }
  }
  return best.empty() ? std::string(parent_of(source)) : best;
}

// "a, b, c", each shown safe for a terminal.
std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : ", ") + display_path(item);
  }
  return out;
}

} // namespace

// OUTDIR: a folder (or to be made), apart from the roots, and for hard links on their filesystem.
void Run::check_outdir() {
  check_apart_from_roots();
  check_apart_from_catalog();
  const struct stat st = outdir_filesystem();
  if (m_options.mode == MaterializeMode::hardlink) {
    check_same_filesystem(st);
  }
}

// Neither OUTDIR inside an input root nor a root inside OUTDIR.
void Run::check_apart_from_roots() const {
  std::error_code ec;
  const std::string out = std::filesystem::weakly_canonical(std::filesystem::absolute(m_outdir), ec).string();
  for (const auto& root : m_roots) {
    if (is_inside(out, root)) {
      throw Fatal(m_outdir.string() + " lies inside the input root " + root +
                  ": the next index would read the tree as new inputs; choose a folder outside the roots");
    }
    if (is_inside(root, out)) {
      throw Fatal("the input root " + root + " lies inside " + m_outdir.string() +
                  ": materialize never writes among the inputs; choose another folder");
    }
  }
}

// Neither OUTDIR inside the catalog (index --rebuild would delete it) nor the catalog inside
// OUTDIR (the user is told OUTDIR's duplicates/ may go, and may delete more).
void Run::check_apart_from_catalog() const {
  std::error_code ec;
  const std::string out = std::filesystem::weakly_canonical(std::filesystem::absolute(m_outdir), ec).string();
  const std::string catalog =
      std::filesystem::weakly_canonical(std::filesystem::absolute(m_catalog.dir()), ec).string();
  if (is_inside(out, catalog)) {
    throw Fatal(m_outdir.string() + (out == catalog ? " is" : " lies inside") + " the catalog " + catalog +
                ": `index --rebuild` would delete it; choose a folder outside the catalog");
  }
  if (is_inside(catalog, out)) {
    throw Fatal("the catalog " + catalog + " lies inside " + m_outdir.string() +
                ": choose a folder that does not hold the catalog");
  }
}

// The stat of OUTDIR, or where it does not exist yet of the nearest folder above it (OUTDIR will
// be made on its filesystem). Throws when that is not a folder.
struct stat Run::outdir_filesystem() const {
  struct stat st {};
  if (::stat(m_outdir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      throw Fatal(m_outdir.string() + " exists and is not a folder");
    }
    return st;
  }
  if (errno != ENOENT) {
    throw Fatal(m_outdir.string() + ": " + errno_text(errno));
  }
  std::filesystem::path probe = std::filesystem::absolute(m_outdir);
  do {
    probe = probe.parent_path();
  } while (::stat(probe.c_str(), &st) != 0 && probe != probe.root_path());
  if (!S_ISDIR(st.st_mode)) {
    throw Fatal(m_outdir.string() + ": " + probe.string() + " is not a folder");
  }
  return st;
}

// Hard links: every input that is there lies on the filesystem of OUTDIR (`st`).
void Run::check_same_filesystem(const struct stat& st) const {
  std::set<std::string> other;
  for (const auto& item : m_items) {
    if (!item.generated && item.src_err == 0 && item.src.dev != st.st_dev) {
      other.insert(root_of(item.source, m_roots));
    }
  }
  if (!other.empty()) {
    throw Fatal(m_outdir.string() + " is on another filesystem than the inputs under " + join(other) +
                ": hard links cannot cross filesystems, so nothing was written. Materialize onto "
                "the filesystem of the inputs, or use --mode copy (or --mode reflink where both "
                "lie on one filesystem that clones, such as btrfs subvolumes)");
  }
}

// Opens OUTDIR (making it, unless a dry run) and locks it. False when it does not exist (dry run).
bool Run::open_outdir() {
  if (!m_options.dry_run) {
    std::error_code ec;
    for (auto p = std::filesystem::absolute(m_outdir, ec); !p.empty() && !std::filesystem::exists(p, ec);
         p = p.parent_path()) {
      m_made_outdirs.push_back(p); // deepest first
    }
    std::filesystem::create_directories(m_outdir, ec);
    if (ec) {
      throw Fatal("cannot make " + m_outdir.string() + ": " + ec.message());
    }
  }
  m_out = ::open(m_outdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m_out < 0) {
    if (m_options.dry_run && errno == ENOENT) {
      return false;
    }
    throw Fatal("cannot open " + m_outdir.string() + ": " + errno_text(errno));
  }
  if (::flock(m_out, (m_options.dry_run ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    throw Fatal("another materialize is writing into " + m_outdir.string());
  }
  return true;
}

// The folders open_outdir made for OUTDIR, when still empty: a run that cannot start leaves
// nothing behind.
void Run::remove_made_outdirs() {
  if (m_out >= 0) {
    ::close(m_out);
    m_out = -1;
  }
  for (const auto& dir : m_made_outdirs) {
    if (::rmdir(dir.c_str()) != 0) {
      break;
    }
  }
  m_made_outdirs.clear();
}

// Reflinks: one clone per filesystem of the inputs, into an unnamed file, before anything is made.
void Run::probe_reflink() {
  std::set<dev_t> tried;
  std::set<std::string> refused;
  std::string why;
  for (const auto& item : m_items) {
    if (item.generated || item.src_err || !tried.insert(item.src.dev).second) {
      continue;
    }
    std::string error;
    const int in = open_input(item.source.data(), error);
    if (in < 0) {
      tried.erase(item.src.dev);
      continue;
    }
    FdGuard in_guard(in);
    const int out = ::openat(m_out, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (out < 0) {
      return; // no unnamed files here: each file reports for itself
    }
    FdGuard out_guard(out);
    if (::ioctl(out, FICLONE, in) != 0 && cannot_clone(errno)) {
      why = errno_text(errno);
      refused.insert(root_of(item.source, m_roots));
    }
  }
  if (!refused.empty()) {
    remove_made_outdirs();
    throw Fatal("cannot reflink into " + m_outdir.string() + " from " + join(refused) + " (" + why +
                "): the filesystem cannot clone files (reflinks need the inputs and OUTDIR on one "
                "btrfs, XFS or similar filesystem), so nothing was written; use --mode copy");
  }
}

} // namespace ipd::materialize_detail
