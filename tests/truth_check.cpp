#include "tests/truth_check.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ipd::test {
namespace {

namespace fs = std::filesystem;

std::string percent(std::size_t a, std::size_t b) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%zu/%zu (%.1f%%)", a, b, b ? 100.0 * double(a) / double(b) : 100.0);
  return buf;
}

std::string relative(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0) {
    throw std::runtime_error("list --json names a file outside the library: " + path);
  }
  return path.substr(prefix.size());
}

} // namespace

PlanCheck check_plan(const MessyTruth& truth, const std::string& list_json, const std::string& prefix) {
  PlanCheck f;
  f.files = truth.files.size();
  for (const auto& line : lines_of(list_json)) {
    JsonObject o;
    if (!parse_flat_json(line, o)) {
      throw std::runtime_error("list --json printed a line that is not an object: " + line);
    }
    const std::string rel = relative(o["source"], prefix);
    f.twice += f.plan.count(rel);
    if (!o["keeper"].empty()) {
      o["keeper"] = relative(o["keeper"], prefix);
    }
    f.twice += o["view"].empty() || !f.source_of_view.emplace(o["view"], rel).second ? 1 : 0;
    f.plan[rel] = o;
  }
  f.listed = f.plan.size();
  std::map<std::string, const TruthFile*> truth_of;
  for (const auto& t : truth.files) {
    truth_of[t.path] = &t;
  }
  auto truth_group = [&](const std::string& path) {
    const auto it = truth_of.find(path);
    return it == truth_of.end() ? std::string("?") : it->second->group;
  };
  for (const auto& t : truth.files) {
    const auto it = f.plan.find(t.path);
    if (it == f.plan.end()) {
      ++f.lost;
      f.wrong.push_back("LOST " + t.path);
      continue;
    }
    const JsonObject& p = it->second;
    const std::string role = p.at("role");
    const std::string keeper = p.at("keeper");
    if (role != t.role || keeper != t.keeper) {
      ++f.role_wrong;
      f.wrong.push_back(t.path + " (" + t.made_as + "): expected " + t.role +
                        (t.keeper.empty() ? "" : " of " + t.keeper) + ", got " + role +
                        (keeper.empty() ? "" : " of " + keeper) + " — " + p.at("reason"));
    }
    if (!keeper.empty() && (t.group.empty() || truth_group(keeper) != t.group)) {
      ++f.false_merges;
      f.wrong.push_back("FALSE MERGE " + t.path + " (" + t.made_as + ", capture " + t.made_from +
                        ") placed with " + keeper + " (capture " + truth_group(keeper) + ")");
    }
    if (t.role == "keeper") {
      ++f.captures;
      f.keepers_right += role == "keeper" ? 1 : 0;
    }
    if (t.role == "duplicate") {
      auto& [found, expected] = f.recall[t.made_as];
      ++expected;
      found += role == "duplicate" && keeper == t.keeper ? 1 : 0;
    }
    if (t.role == "companion" || t.role == "raw-sidecar") {
      ++f.companions;
      // Beside its keeper in the view: the same folder, the keeper's name stem.
      bool right = role == t.role && keeper == t.keeper;
      if (right) {
        const fs::path view(p.at("view"));
        const fs::path keeper_view(f.plan.at(t.keeper).at("view"));
        right = view.parent_path() == keeper_view.parent_path() &&
                (t.made_as == "aae-o" ||
                 view.filename().string().rfind(keeper_view.stem().string() + ".", 0) == 0);
      }
      f.companions_right += right ? 1 : 0;
      if (!right && role == t.role) {
        f.wrong.push_back(t.path + ": companion not beside its keeper: " + p.at("view"));
      }
    }
    if (t.role == "unknown-time" || t.role == "other") {
      ++f.routed;
      const std::string top = t.role == "other" ? "other/" : "unknown_time/";
      f.routed_right += role == t.role && p.at("view").rfind(top, 0) == 0 ? 1 : 0;
    }
  }
  for (const auto& [rel, p] : f.plan) {
    if (!truth_of.count(rel)) {
      f.wrong.push_back("not generated, but listed: " + rel);
    }
  }
  return f;
}

bool PlanCheck::passed() const {
  for (const auto& [kind, counts] : recall) {
    if (counts.first != counts.second) {
      return false;
    }
  }
  return lost == 0 && twice == 0 && listed == files && false_merges == 0 && keepers_right == captures &&
         companions_right == companions && routed_right == routed && role_wrong == 0;
}

std::string PlanCheck::report(std::size_t max_wrong) const {
  std::ostringstream out;
  out << "  completeness: " << percent(listed - twice, files) << " listed once, " << lost << " lost\n"
      << "  false merges: " << false_merges << "\n"
      << "  keepers right: " << percent(keepers_right, captures) << "\n"
      << "  companions and raw-sidecars beside their keeper: " << percent(companions_right, companions)
      << "\n"
      << "  unknown-time and other routed right: " << percent(routed_right, routed) << "\n"
      << "  roles and keepers as the truth says: " << percent(files - role_wrong - lost, files) << "\n"
      << "  duplicate recall by kind of copy:\n";
  for (const auto& [kind, counts] : recall) {
    out << "    " << kind << ": " << percent(counts.first, counts.second) << "\n";
  }
  for (std::size_t i = 0; i < wrong.size() && i < max_wrong; ++i) {
    out << "  ! " << wrong[i] << "\n";
  }
  return out.str();
}

MessyTruth read_truth_tsv(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line.rfind("path\t", 0) != 0) {
    throw std::runtime_error("cannot read the truth " + file.string());
  }
  MessyTruth truth;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::size_t from = 0;
    for (std::size_t tab; (tab = line.find('\t', from)) != std::string::npos; from = tab + 1) {
      cells.push_back(line.substr(from, tab - from));
    }
    cells.push_back(line.substr(from));
    if (cells.size() != 7) {
      throw std::runtime_error("a line of " + file.string() + " has not 7 columns: " + line);
    }
    TruthFile t{cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6] == "1"};
    truth.captures += t.role == "keeper" ? 1 : 0;
    truth.files.push_back(std::move(t));
  }
  return truth;
}

} // namespace ipd::test
