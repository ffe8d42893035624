// materialize, in passes: Run::go() below calls them in this order (run.hpp says which file
// holds each).
//
//   1. read_view              the view in key order (each folder's files are contiguous), every
//                             path checked
//   2.   (overlapped with 1)  every input lstat'ed in parallel; note_changed_inputs
//      check_outdir           before anything is written: OUTDIR apart from the input roots, a
//                             folder, and for hard links on the inputs' filesystem
//   3. open_outdir            made and locked
//      read_manifest          the manifest, and the journal of an interrupted run
//      probe_reflink          reflinks: one clone per filesystem of the inputs
//   4. remove_left            the files it made earlier that left the view (when their data survives)
//   5. make_tree              write ahead into the journal all it may make; then one task per folder
//                             of the view, in parallel: per folder one mkdirat + one open, per file
//                             one linkat (or a clone, a copy, a symlink) — EEXIST sends the path to
//                             the slow check: right file, earlier file of ours, or a conflict
//   6. remove_empty_folders   the folders it made that are now empty
//      write_manifest         the manifest replaced atomically; the journal dropped
//
//        view (RocksDB) ──► items ──► lstat ──► [checks] ──► journal ──► links ──► manifest
//                                                 nothing written before this point
//
// Nothing inside OUTDIR is ever followed through a symlink: folders are opened with O_NOFOLLOW
// one component at a time and every call is *at() relative to them (at.hpp). Files appear whole
// or not at all (linkat, symlinkat, O_TMPFILE then linkat) and never replace anything (EEXIST).
#include "index/materialize/materialize.hpp"

#include "index/materialize/run.hpp"
#include "index/view/view.hpp"

#include <chrono>
#include <unistd.h>

namespace ipd {

namespace materialize_detail {

Run::Run(const Catalog& catalog, const std::filesystem::path& outdir, const MaterializeOptions& options)
    : m_catalog(catalog), m_outdir(outdir), m_options(options), m_roots(catalog_roots(catalog)) {}

Run::~Run() {
  if (m_out >= 0) {
    ::close(m_out);
  }
}

MaterializeReport Run::go() {
  const auto began = std::chrono::steady_clock::now();
  auto lap = began;
  const auto time = [&](double& into) {
    const auto now = std::chrono::steady_clock::now();
    into = std::chrono::duration<double>(now - lap).count();
    lap = now;
  };
  read_view();
  note_changed_inputs();
  time(m_report.view_seconds);
  check_outdir();
  if (open_outdir()) {
    read_manifest();
    if (m_options.mode == MaterializeMode::reflink && !m_options.dry_run) {
      probe_reflink();
    }
    remove_left();
  }
  make_tree();
  time(m_report.tree_seconds);
  if (m_out >= 0) {
    remove_empty_folders();
    if (!m_options.dry_run) {
      write_manifest();
    }
  }
  time(m_report.manifest_seconds);
  m_report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return std::move(m_report);
}

} // namespace materialize_detail

std::string_view mode_name(MaterializeMode mode) {
  switch (mode) {
  case MaterializeMode::hardlink: return "hardlink";
  case MaterializeMode::reflink: return "reflink";
  case MaterializeMode::copy: return "copy";
  case MaterializeMode::symlink: return "symlink";
  }
  return "hardlink";
}

std::optional<MaterializeMode> parse_materialize_mode(std::string_view name) {
  for (auto mode : {MaterializeMode::hardlink, MaterializeMode::reflink, MaterializeMode::copy,
                    MaterializeMode::symlink}) {
    if (mode_name(mode) == name) {
      return mode;
    }
  }
  return std::nullopt;
}

MaterializeReport materialize(const Catalog& catalog, const std::filesystem::path& outdir,
                              const MaterializeOptions& options) {
  materialize_detail::Run run(catalog, outdir, options);
  return run.go();
}

} // namespace ipd
