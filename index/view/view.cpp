#include "index/view/view.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/error.hpp"
#include "index/core/text.hpp"
#include "index/plan/file_content.hpp"
#include "index/view/decisions.hpp"

#include <algorithm>
#include <chrono>

namespace ipd {

void write_plan(Catalog& catalog, const Plan& plan, const std::vector<FileRecord>& records,
                const PlanOptions& options, const std::vector<Decision>& decisions,
                const std::string& digest) {
  Catalog::Batch batch;
  batch.clear(Catalog::Table::view);
  batch.clear(Catalog::Table::plan);
  for (std::size_t i = 0; i < plan.placements.size(); ++i) {
    const Placement& p = plan.placements[i];
    batch.put(Catalog::Table::plan, p.source, encode(p));
    if (p.view.empty()) {
      continue;
    }
    const FileRecord& r = records[i];
    ViewEntry e;
    e.source = r.path;
    e.role = p.role;
    e.size = r.size;
    e.mtime_ns = r.mtime_ns;
    e.reason = p.reason;
    e.keeper = p.keeper;
    e.capture = format_iso8601(r.capture);
    e.device = device_name(r.make, r.model);
    batch.put(Catalog::Table::view, p.view, encode(e));
  }
  ViewEntry readme;
  readme.role = Role::other;
  readme.size = plan.readme.size();
  readme.reason = "what each folder of this view holds";
  readme.content = plan.readme;
  batch.put(Catalog::Table::view, k_readme_name, encode(readme));
  batch.clear(Catalog::Table::near_misses);
  for (const NearMiss& miss : plan.near_misses) {
    batch.put(Catalog::Table::near_misses, near_miss_key(miss.a, miss.b), encode(miss));
  }
  batch.put_meta(meta_key::near_misses, std::to_string(plan.near_misses.size()));
  for (auto i : plan.updated) {
    batch.put_file(records[i]);
  }
  batch.put_meta(meta_key::plan_options, describe(options));
  batch.put_meta(meta_key::plan_pending, "0");
  std::vector<DecisionNoteRow> notes;
  for (std::size_t k = 0; k < decisions.size() && k < plan.decisions.size(); ++k) {
    if (!plan.decisions[k].note.empty()) {
      notes.push_back({decision_key(decisions[k].content, decisions[k].verdict), plan.decisions[k].note});
    }
  }
  batch.put_meta(meta_key::decision_notes, encode_decision_notes(notes));
  batch.put_meta(meta_key::plan_decisions, digest);
  // Grows with every plan, and is new even for a catalog made afresh with --rebuild.
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  batch.put_meta(meta_key::view_generation,
                 std::to_string(std::max<std::uint64_t>(view_generation(catalog) + 1,
                                                        static_cast<std::uint64_t>(now_ns))));
  catalog.write(batch);
}

std::vector<std::string> catalog_roots(const Catalog& catalog) {
  return decode_roots(catalog.meta(meta_key::roots).value_or(""));
}

std::uint64_t view_generation(const Catalog& catalog) {
  const auto value = catalog.meta(meta_key::view_generation);
  if (!value) {
    return 0;
  }
  try {
    return std::stoull(*value);
  } catch (const std::exception&) {
    return 0;
  }
}

bool view_complete(const Catalog& catalog) {
  return catalog.meta(meta_key::plan_pending) != "1" && catalog.get(Catalog::Table::view, k_readme_name);
}

void require_complete_view(const Catalog& catalog) {
  if (!view_complete(catalog)) {
    throw Fatal("the catalog " + catalog.dir().string() +
                " has no complete view: no index run has finished planning it since its files changed "
                "(one was cut short, or is running); run `iphone-photo-dedup index ROOT...` again");
  }
}

std::optional<Plan> refresh_plan(Catalog& catalog, const PlanOptions& options, bool inputs_changed) {
  const std::string described = describe(options);
  const std::string digest = decisions_digest(catalog);
  // A view planned before near misses were kept is planned again (from the kept samples and
  // fingerprints: nothing is decoded twice).
  if (!inputs_changed && catalog.meta(meta_key::plan_options) == described &&
      catalog.meta(meta_key::plan_decisions).value_or("0") == digest && catalog.meta(meta_key::near_misses) &&
      view_complete(catalog)) {
    return std::nullopt;
  }
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  std::vector<FileRecord> records;
  catalog.for_each_file([&](FileRecord&& r) { records.push_back(std::move(r)); });
  const std::vector<Decision> decisions = load_decisions(catalog);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto content = disk_content();
  Plan plan = make_plan(records, catalog_roots(catalog), options, decisions, *content);
  // "load" first; made as a new list, for g++ 12 sees a null dereference in an insert at begin().
  std::vector<std::pair<std::string_view, double>> passes{{"load", load_seconds}};
  passes.insert(passes.end(), plan.stats.pass_seconds.begin(), plan.stats.pass_seconds.end());
  plan.stats.pass_seconds = std::move(passes);
  start = Clock::now();
  write_plan(catalog, plan, records, options, decisions, digest);
  plan.stats.pass_seconds.emplace_back("write", std::chrono::duration<double>(Clock::now() - start).count());
  return plan;
}

PlanOptions view_options(const Catalog& catalog) {
  return parse_options(catalog.meta(meta_key::plan_options).value_or("")).value_or(PlanOptions{});
}

std::optional<ViewEntry> view_entry(const Catalog& catalog, std::string_view path) {
  const auto bytes = catalog.get(Catalog::Table::view, path);
  ViewEntry e;
  if (!bytes || !decode(*bytes, e)) {
    return std::nullopt;
  }
  return e;
}

std::optional<Placement> placement_of(const Catalog& catalog, std::string_view source) {
  const auto bytes = catalog.get(Catalog::Table::plan, source);
  Placement p;
  if (!bytes || !decode(*bytes, p)) {
    return std::nullopt;
  }
  p.source = std::string(source);
  return p;
}

void for_each_placement(const Catalog& catalog, const std::function<void(Placement&&)>& fn) {
  catalog.scan(Catalog::Table::plan, "", [&](std::string_view key, std::string_view value) {
    Placement p;
    if (!decode(value, p)) {
      throw Fatal("catalog " + catalog.dir().string() + ": undecodable placement of " + display_path(key) +
                  "; run `iphone-photo-dedup index --rebuild ROOT...`");
    }
    p.source = std::string(key);
    fn(std::move(p));
    return true;
  });
}

std::vector<NearMiss> near_misses(const Catalog& catalog) {
  std::vector<NearMiss> out;
  catalog.scan(Catalog::Table::near_misses, "", [&](std::string_view key, std::string_view value) {
    NearMiss miss;
    if (!decode_near_miss(key, value, miss)) {
      throw Fatal("catalog " + catalog.dir().string() + ": undecodable near miss " + display_path(key) +
                  "; run `iphone-photo-dedup index --rebuild ROOT...`");
    }
    out.push_back(std::move(miss));
    return true;
  });
  return out;
}

} // namespace ipd
