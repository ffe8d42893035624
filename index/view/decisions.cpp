#include "index/view/decisions.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/hash.hpp"
#include "index/core/io.hpp"
#include "index/plan/file_content.hpp"
#include "index/view/view.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>
#include <set>
#include <sys/stat.h>

namespace ipd {

namespace {

// Calls `fn(key, decision)` for every decision this version can read.
void for_each_row(const Catalog& catalog, const std::function<void(std::string_view, Decision&&)>& fn) {
  catalog.scan(Catalog::Table::decisions, "", [&](std::string_view key, std::string_view value) {
    Decision d;
    if (decode_decision(key, value, d)) {
      fn(key, std::move(d));
    }
    return true;
  });
}

} // namespace

std::vector<Decision> load_decisions(const Catalog& catalog) {
  std::vector<Decision> out;
  for_each_row(catalog, [&](std::string_view, Decision&& d) { out.push_back(std::move(d)); });
  return out;
}

std::string decisions_digest(const Catalog& catalog) {
  std::string all;
  catalog.scan(Catalog::Table::decisions, "", [&](std::string_view key, std::string_view value) {
    put_bytes(all, key);
    put_bytes(all, value);
    return true;
  });
  if (all.empty()) {
    return "0";
  }
  return std::to_string(content_hash({reinterpret_cast<const std::uint8_t*>(all.data()), all.size()}));
}

std::optional<ContentKey> content_key_of(FileRecord& record, std::string& error) {
  struct stat st {};
  if (at_any_depth(record.path, [&](int dirfd, const char* name) {
        return ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
      }) != 0) {
    error = "cannot stat it: " + errno_text(errno) + " (re-index)";
    return std::nullopt;
  }
  if (st.st_dev != record.dev || st.st_ino != record.ino || std::uint64_t(st.st_size) != record.size ||
      timespec_ns(st.st_mtim) != record.mtime_ns) {
    error = "changed since the last index: run `iphone-photo-dedup index` first";
    return std::nullopt;
  }
  if (record.content_hash == 0) {
    record.content_hash = disk_content()->full_hash(record);
  }
  if (record.content_hash == 0) {
    error = "cannot be read";
    return std::nullopt;
  }
  return ContentKey{record.size, record.content_hash};
}

std::int64_t decision_clock() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<Decision> record_decisions(Catalog& catalog, Verdict verdict,
                                       const std::vector<FileRecord>& files,
                                       const std::vector<ContentKey>& contents, std::int64_t made_ns) {
  Catalog::Batch batch;
  std::vector<Decision> made;
  std::set<ContentKey> named(contents.begin(), contents.end());
  if (verdict == Verdict::together) {
    // The sets the files were in already join this one: every member moves to the new set.
    std::set<std::uint64_t> joined;
    const auto rows = load_decisions(catalog);
    for (const Decision& d : rows) {
      if (d.verdict == Verdict::together && named.count(d.content)) {
        joined.insert(d.set);
      }
    }
    for (Decision d : rows) {
      if (d.verdict == Verdict::together && joined.count(d.set) && !named.count(d.content)) {
        d.set = static_cast<std::uint64_t>(made_ns);
        batch.put(Catalog::Table::decisions, decision_key(d.content, d.verdict), encode(d));
      }
    }
  }
  std::set<ContentKey> done;
  for (std::size_t k = 0; k < files.size(); ++k) {
    if (!done.insert(contents[k]).second) {
      continue; // a byte copy of a file named before
    }
    Decision d{contents[k], verdict, made_ns, verdict == Verdict::together ? std::uint64_t(made_ns) : 0,
               files[k].path};
    batch.put(Catalog::Table::decisions, decision_key(d.content, d.verdict), encode(d));
    batch.put_file(files[k]); // with the hash content_key_of() may have computed
    made.push_back(std::move(d));
  }
  catalog.write(batch);
  return made;
}

std::vector<Decision> forget_decisions(Catalog& catalog, const std::vector<ContentKey>& contents,
                                       const std::vector<std::string>& paths) {
  const std::set<ContentKey> named(contents.begin(), contents.end());
  const std::set<std::string> on_paths(paths.begin(), paths.end());
  std::vector<std::pair<std::string, Decision>> rows;
  for_each_row(catalog, [&](std::string_view key, Decision&& d) {
    rows.emplace_back(std::string(key), std::move(d));
  });
  const auto dropped_by_user = [&](const Decision& d) {
    return named.count(d.content) || on_paths.count(d.path);
  };
  // A together set left with one file says nothing more: it goes too.
  std::map<std::uint64_t, int> left;
  for (const auto& [key, d] : rows) {
    if (d.verdict == Verdict::together && !dropped_by_user(d)) {
      ++left[d.set];
    }
  }
  Catalog::Batch batch;
  std::vector<Decision> dropped;
  for (auto& [key, d] : rows) {
    if (dropped_by_user(d) || (d.verdict == Verdict::together && left[d.set] < 2)) {
      batch.remove(Catalog::Table::decisions, key);
      dropped.push_back(std::move(d));
    }
  }
  if (batch.count() > 0) {
    catalog.write(batch);
  }
  return dropped;
}

std::vector<DecisionState> list_decisions(const Catalog& catalog, Files files) {
  std::vector<DecisionState> out;
  std::map<std::string, std::size_t> by_key;
  for_each_row(catalog, [&](std::string_view key, Decision&& d) {
    by_key[std::string(key)] = out.size();
    out.push_back({std::move(d), {}, {}});
  });
  std::vector<DecisionNoteRow> notes;
  decode_decision_notes(catalog.meta(meta_key::decision_notes).value_or(""), notes);
  for (auto& row : notes) {
    if (const auto it = by_key.find(row.key); it != by_key.end()) {
      out[it->second].note = std::move(row.note);
    }
  }
  if (out.empty() || files == Files::no) {
    return out;
  }
  std::map<ContentKey, std::vector<std::size_t>> of_content;
  for (std::size_t k = 0; k < out.size(); ++k) {
    of_content[out[k].decision.content].push_back(k);
  }
  catalog.for_each_file([&](FileRecord&& r) {
    const auto it = of_content.find({r.size, r.content_hash});
    if (r.content_hash == 0 || it == of_content.end()) {
      return;
    }
    Placement p = placement_of(catalog, r.path).value_or(Placement{});
    p.source = r.path;
    for (const std::size_t k : it->second) {
      out[k].files.push_back(p);
    }
  });
  return out;
}

} // namespace ipd
