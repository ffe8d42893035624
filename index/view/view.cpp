#include "index/view/view.hpp"

#include "index/catalog/codec.hpp"

#include <algorithm>
#include <chrono>
#include <set>

namespace ipd {

namespace {

constexpr std::uint8_t k_view_version = 1;
constexpr std::uint8_t k_placement_version = 1;
constexpr std::string_view k_view_generation_key = "view_generation";

std::string dir_key(std::string_view parent, std::string_view name) {
  std::string key(parent);
  key += '\0';
  key += name;
  return key;
}

bool get_role(Reader& in, Role& role) {
  std::uint8_t byte = 0;
  if (!in.get_u8(byte) || byte > static_cast<std::uint8_t>(Role::other)) {
    return false;
  }
  role = static_cast<Role>(byte);
  return true;
}

} // namespace

std::string encode(const ViewEntry& e) {
  std::string out;
  out.push_back(static_cast<char>(k_view_version));
  put_bytes(out, e.source);
  out.push_back(static_cast<char>(e.role));
  put_varint(out, e.size);
  put_signed(out, e.mtime_ns);
  put_bytes(out, e.reason);
  put_bytes(out, e.keeper);
  put_bytes(out, e.capture);
  put_bytes(out, e.device);
  put_bytes(out, e.content);
  return out;
}

bool decode(std::string_view bytes, ViewEntry& e) {
  Reader in(bytes);
  std::uint8_t version = 0;
  return in.get_u8(version) && version == k_view_version && in.get_bytes(e.source) && get_role(in, e.role) &&
         in.get_varint(e.size) && in.get_signed(e.mtime_ns) && in.get_bytes(e.reason) &&
         in.get_bytes(e.keeper) && in.get_bytes(e.capture) && in.get_bytes(e.device) &&
         in.get_bytes(e.content) && in.at_end();
}

std::string encode(const Placement& p) {
  std::string out;
  out.push_back(static_cast<char>(k_placement_version));
  out.push_back(static_cast<char>(p.role));
  put_bytes(out, p.view);
  put_bytes(out, p.keeper);
  put_bytes(out, p.reason);
  put_bytes(out, p.rules);
  put_varint(out, p.group);
  return out;
}

bool decode(std::string_view bytes, Placement& p) {
  Reader in(bytes);
  std::uint8_t version = 0;
  std::uint64_t group = 0;
  const bool ok = in.get_u8(version) && version == k_placement_version && get_role(in, p.role) &&
                  in.get_bytes(p.view) && in.get_bytes(p.keeper) && in.get_bytes(p.reason) &&
                  in.get_bytes(p.rules) && in.get_varint(group) && in.at_end();
  p.group = static_cast<std::uint32_t>(group);
  return ok;
}

void write_plan(Catalog& catalog, const Plan& plan, const std::vector<FileRecord>& records,
                const PlanOptions& options) {
  Catalog::Batch batch;
  batch.clear(Catalog::Table::view);
  batch.clear(Catalog::Table::dirs);
  batch.clear(Catalog::Table::plan);
  std::set<std::string> dirs_done;
  auto add_path = [&](const std::string& path) {
    // Every ancestor folder is listed in its parent, once.
    std::string_view rest = path;
    std::string parent;
    while (true) {
      const auto slash = rest.find('/');
      const std::string_view name = rest.substr(0, slash);
      if (slash == std::string_view::npos) {
        batch.put(Catalog::Table::dirs, dir_key(parent, name), "f");
        return;
      }
      const std::string dir = parent.empty() ? std::string(name) : parent + "/" + std::string(name);
      if (dirs_done.insert(dir).second) {
        batch.put(Catalog::Table::dirs, dir_key(parent, name), "d");
      }
      parent = dir;
      rest = rest.substr(slash + 1);
    }
  };
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
    add_path(p.view);
  }
  ViewEntry readme;
  readme.role = Role::other;
  readme.size = plan.readme.size();
  readme.reason = "what each folder of this view holds";
  readme.content = plan.readme;
  batch.put(Catalog::Table::view, k_readme_name, encode(readme));
  add_path(std::string(k_readme_name));
  for (auto i : plan.updated) {
    batch.put_file(records[i]);
  }
  batch.put_meta("plan_options", describe(options));
  // Grows with every plan, and is new even for a catalog made afresh with --rebuild.
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  batch.put_meta(k_view_generation_key,
                 std::to_string(std::max<std::uint64_t>(view_generation(catalog) + 1,
                                                        static_cast<std::uint64_t>(now_ns))));
  catalog.write(batch);
}

std::vector<std::string> catalog_roots(const Catalog& catalog) {
  std::vector<std::string> roots;
  const std::string all = catalog.meta("roots").value_or("");
  std::size_t start = 0;
  for (std::size_t end; (end = all.find('\0', start)) != std::string::npos; start = end + 1) {
    roots.push_back(all.substr(start, end - start));
  }
  return roots;
}

std::uint64_t view_generation(const Catalog& catalog) {
  const auto value = catalog.meta(k_view_generation_key);
  if (!value) {
    return 0;
  }
  try {
    return std::stoull(*value);
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<Plan> refresh_plan(Catalog& catalog, const PlanOptions& options, bool inputs_changed) {
  const std::string described = describe(options);
  if (!inputs_changed && catalog.meta("plan_options") == described &&
      catalog.get(Catalog::Table::view, k_readme_name)) {
    return std::nullopt;
  }
  std::vector<FileRecord> records;
  catalog.for_each_file([&](FileRecord&& r) { records.push_back(std::move(r)); });
  Plan plan = make_plan(records, catalog_roots(catalog), options);
  write_plan(catalog, plan, records, options);
  return plan;
}

std::optional<ViewEntry> view_entry(const Catalog& catalog, std::string_view path) {
  const auto bytes = catalog.get(Catalog::Table::view, path);
  ViewEntry e;
  if (!bytes || !decode(*bytes, e)) {
    return std::nullopt;
  }
  return e;
}

std::optional<std::vector<DirChild>> view_children(const Catalog& catalog, std::string_view path) {
  std::vector<DirChild> out;
  const std::string prefix = dir_key(path, "");
  catalog.scan(Catalog::Table::dirs, prefix, [&](std::string_view key, std::string_view value) {
    out.push_back({std::string(key.substr(prefix.size())), value == "d"});
    return true;
  });
  if (out.empty() && !path.empty()) {
    return std::nullopt;
  }
  return out;
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

} // namespace ipd
