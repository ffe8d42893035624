// The names of the view: collision-free (without case), and the mirrors of the input roots in
// unknown_time/ and other/.
#include "index/core/paths.hpp"
#include "index/core/text.hpp"
#include "index/plan/passes.hpp"
#include "index/plan/rank.hpp"

namespace ipd {

namespace {

// A label per root, unique without case: its folder name, then " (2)", " (3)" ...
std::vector<std::string> root_labels(const std::vector<std::string>& roots) {
  std::vector<std::string> labels;
  std::set<std::string> used;
  for (const auto& root : roots) {
    const std::string base = root == "/" ? "root" : sanitize_name(leaf_of(root));
    std::string label = base;
    for (int k = 2; used.count(lower_ascii(label)); ++k) {
      label = base + " (" + std::to_string(k) + ")";
    }
    used.insert(lower_ascii(label));
    labels.push_back(label);
  }
  return labels;
}

} // namespace

ViewNames::ViewNames(const std::vector<std::string>& roots)
    : m_roots(roots), m_root_labels(root_labels(roots)) {
  take("README.txt");
}

bool ViewNames::taken(const std::string& path) const { return m_used.count(lower_ascii(path)) > 0; }

void ViewNames::take(const std::string& path) { m_used.insert(lower_ascii(path)); }

std::string ViewNames::claim(const std::string& dir, const std::string& stem, const std::string& ext,
                             int first) {
  for (int n = first;; ++n) {
    std::string path =
        dir + "/" + stem + (n == 1 ? "" : " (" + std::to_string(n) + ")") + (ext.empty() ? "" : "." + ext);
    if (!taken(path)) {
      take(path);
      return path;
    }
  }
}

std::string ViewNames::mirrored(const std::string& top, const FileRecord& r) const {
  const std::string root = r.root < m_roots.size() ? m_roots[r.root] : std::string("/");
  const std::string label = r.root < m_root_labels.size() ? m_root_labels[r.root] : std::string("root");
  return top + "/" + label + "/" + relative_to(r.path, root);
}

std::string ViewNames::ext_for(const FileRecord& r) {
  std::string ext(true_extension(r.format));
  return ext.empty() ? sanitize_name(ext_of(leaf_of(r.path)), 16) : ext;
}

void place_duplicates(const std::vector<FileRecord>& records, const std::vector<FileIndex>& files,
                      FileIndex keeper, const std::string& anchor_dir, const std::string& anchor_stem,
                      Role keeper_role, const std::string& keeper_why, const Kinship& kinship,
                      ViewNames& names, std::vector<Placement>& placements) {
  int next = 2;
  for (const FileIndex i : files) {
    if (i == keeper) {
      continue;
    }
    Placement& p = placements[i];
    p.role = Role::duplicate;
    p.keeper = records[keeper].path;
    std::string path;
    do {
      path = "duplicates/" + anchor_dir + "/" + anchor_stem + " (" + std::to_string(next++) + ")." +
             ViewNames::ext_for(records[i]);
    } while (names.taken(path));
    names.take(path);
    p.view = path;
    const std::string same = kinship.how_same(i, keeper);
    const std::string won = kinship.why_kept(keeper, i);
    const std::string decided = kinship.decided(i);
    p.reason = "duplicate of " + records[keeper].path + " (" + same + "; kept: " + won + ")";
    p.same_as = same;
    p.kept_because = won;
    p.rules = "same capture as the " + std::string(role_name(keeper_role)) + ": " + same + "\n" + keeper_why +
              "\nkept copy wins on: " + won + (decided.empty() ? "" : "\n" + decided);
  }
}

} // namespace ipd
