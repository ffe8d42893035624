// Pass 5, the tree: each folder of the view is a task (its files are contiguous in view order);
// the tasks run in parallel, each with its own open folders, and report in view order.
#include "index/core/paths.hpp"
#include "index/materialize/folders.hpp"
#include "index/materialize/run.hpp"

#include <atomic>
#include <iterator>
#include <map>
#include <mutex>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <utility>

namespace ipd::materialize_detail {

namespace {

void append(std::vector<MaterializeIssue>& into, std::vector<MaterializeIssue>& from) {
  std::move(from.begin(), from.end(), std::back_inserter(into));
}

} // namespace

// Journals what it may make, makes every folder's files, then takes the tasks' reports.
void Run::make_tree() {
  const std::size_t n = m_items.size();
  m_marks.assign(n, Mark{});
  if (m_out >= 0 && !m_options.dry_run) {
    journal_all();
  }
  std::vector<Partial> partials = make_folders(folder_starts());
  merge(partials);
  drop_replaced();
  if (m_options.progress) {
    m_options.progress(n, n);
  }
}

// Where each folder's items begin: folder g holds items [starts[g], starts[g + 1]).
std::vector<std::size_t> Run::folder_starts() const {
  const std::size_t n = m_items.size();
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == 0 || parent_of(m_items[i].path) != parent_of(m_items[i - 1].path)) {
      starts.push_back(i);
    }
  }
  starts.push_back(n);
  return starts;
}

// The folders' files, in parallel; one report per folder, and progress now and then.
std::vector<Partial> Run::make_folders(const std::vector<std::size_t>& starts) {
  const std::size_t n = m_items.size();
  const std::size_t groups = starts.size() - 1;
  std::vector<Partial> partials(groups);
  std::atomic<std::uint64_t> done{0};
  std::mutex progress_mutex; // serializes calls of the progress callback
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, groups), [&](const tbb::blocked_range<std::size_t>& r) {
        Folders folders(m_out, m_options.dry_run);
        for (std::size_t g = r.begin(); g != r.end(); ++g) {
          make_folder(partials[g], folders, starts[g], starts[g + 1]);
          const std::uint64_t before = done.fetch_add(starts[g + 1] - starts[g]);
          if (m_options.progress && (before + starts[g + 1] - starts[g]) / 256 != before / 256) {
            std::lock_guard lock(progress_mutex);
            m_options.progress(done.load(), n);
          }
        }
      });
  return partials;
}

// The files of one folder, m_items[begin, end): each placed, or held up by what blocks the folder.
void Run::make_folder(Partial& out, Folders& folders, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    const int dirfd = m_out < 0 ? Folders::k_missing : folders.enter(parent_of(m_items[i].path));
    if (dirfd == Folders::k_blocked) {
      out.block_path = folders.block_path();
      out.block_what = folders.block_what();
      out.block_conflict = folders.block_is_conflict();
      ++out.blocked;
    } else {
      place(out, i, dirfd);
    }
  }
  out.dirs_made = folders.take_made();
}

// In view order: the counts, the lists, a folder in the way once (with the files it held up),
// and the folders made, into the manifest.
void Run::merge(std::vector<Partial>& partials) {
  std::map<std::string, std::pair<std::vector<MaterializeIssue>*, std::size_t>> blocks;
  std::map<std::string, std::uint64_t> blocked_files;
  for (auto& out : partials) {
    m_report.made += out.made;
    m_report.replaced += out.replaced;
    m_report.already += out.already;
    append(m_report.conflicts, out.conflicts);
    append(m_report.errors, out.errors);
    append(m_report.planned, out.planned);
    if (out.blocked) {
      if (!blocks.count(out.block_path)) {
        auto& list = out.block_conflict ? m_report.conflicts : m_report.errors;
        list.push_back({out.block_path, out.block_what});
        blocks[out.block_path] = {&list, list.size() - 1};
      }
      blocked_files[out.block_path] += out.blocked;
    }
    for (auto& dir : out.dirs_made) {
      m_manifest[dir] = Made{MadeKind::dir, {}, 0, 0, 0, 0};
    }
  }
  for (const auto& [path, where] : blocks) {
    const std::uint64_t files = blocked_files[path];
    (*where.first)[where.second].what +=
        "; " + std::to_string(files) + " file" + (files == 1 ? "" : "s") + " of the view not made below it";
  }
}

// The manifest entries of the paths whose earlier entry went in the make pass.
void Run::drop_replaced() {
  for (std::size_t i = 0; i < m_items.size(); ++i) {
    if (m_marks[i].drop) {
      if (const auto it = m_manifest.find(m_items[i].path); it != m_manifest.end()) {
        m_manifest.erase(it);
      }
    }
  }
}

} // namespace ipd::materialize_detail
