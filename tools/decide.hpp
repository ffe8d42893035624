// What the decision commands (cmd_decide.cpp, cmd_decisions.cpp) share with index.
#pragma once

#include "index/catalog/catalog.hpp"

namespace ipd::tools {

// The decisions in the catalog that did not hold as made (conflicts, files gone), one line each
// on stdout under a count of the decisions; nothing when there are none.
void print_decision_notes(const Catalog& catalog);

} // namespace ipd::tools
