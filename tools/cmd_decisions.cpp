// iphone-photo-dedup decisions [--catalog DIR] [--json]
#include "command.hpp"
#include "decide.hpp"

#include "index/catalog/codec.hpp"
#include "index/core/text.hpp"
#include "index/view/decisions.hpp"
#include "index/view/json.hpp"

#include <cstdio>

namespace ipd::tools {

namespace {

std::string json_line(const DecisionState& s) {
  const Decision& d = s.decision;
  std::string line = "{\"verdict\": " + json_string(verdict_name(d.verdict)) +
                     ", \"date\": " + json_string(decision_date(d.made_ns)) +
                     ", \"made_ns\": " + std::to_string(d.made_ns) + ", \"path\": " + json_string(d.path) +
                     ", \"size\": " + std::to_string(d.content.size) + ", \"set\": " + std::to_string(d.set) +
                     ", \"note\": " + json_string(s.note) + ", \"files\": [";
  for (std::size_t k = 0; k < s.files.size(); ++k) {
    const Placement& p = s.files[k];
    line += std::string(k ? ", " : "") + "{\"source\": " + json_string(p.source) +
            ", \"role\": " + json_string(role_name(p.role)) + ", \"view\": " + json_string(p.view) + "}";
  }
  return line + "]}";
}

void print_text(const DecisionState& s) {
  const Decision& d = s.decision;
  std::printf("%s, %s: %s\n", std::string(verdict_name(d.verdict)).c_str(), decision_date(d.made_ns).c_str(),
              display_path(d.path).c_str());
  for (const Placement& p : s.files) {
    std::printf("    %-12s %s\n", std::string(role_name(p.role)).c_str(),
                display_path(p.view.empty() ? p.source : p.view).c_str());
    if (p.source != d.path) {
      std::printf("    %-12s   from %s\n", "", display_path(p.source).c_str());
    }
  }
  if (!s.note.empty()) {
    std::printf("    note: %s\n", display_path(s.note).c_str());
  }
}

} // namespace

void print_decision_notes(const Catalog& catalog) {
  const auto decisions = list_decisions(catalog, Files::no);
  if (decisions.empty()) {
    return;
  }
  std::printf(
      "decisions: %zu of yours, applied before every rule (`iphone-photo-dedup decisions` lists them)\n",
      decisions.size());
  for (const auto& s : decisions) {
    if (!s.note.empty()) {
      std::printf("  note: %s %s (%s): %s\n", std::string(verdict_name(s.decision.verdict)).c_str(),
                  display_path(s.decision.path).c_str(), decision_date(s.decision.made_ns).c_str(),
                  display_path(s.note).c_str());
    }
  }
}

int cmd_decisions(Args args) {
  const auto dir = catalog_dir(args);
  const bool json = args.flag("--json");
  if (!args.finish().empty()) {
    throw UsageError("decisions takes no paths");
  }
  auto catalog = Catalog::open(dir, Catalog::Access::read_only);
  const auto decisions = list_decisions(*catalog);
  std::size_t notes = 0;
  for (const auto& s : decisions) {
    notes += s.note.empty() ? 0 : 1;
    if (json) {
      std::printf("%s\n", json_line(s).c_str());
    } else {
      print_text(s);
    }
  }
  if (!json) {
    std::printf("%zu decision%s", decisions.size(), decisions.size() == 1 ? "" : "s");
    if (notes) {
      std::printf(", %zu with a note (a conflict, or no file of its content among the inputs)", notes);
    }
    std::printf("\n");
  }
  return k_exit_ok;
}

} // namespace ipd::tools
