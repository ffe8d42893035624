// What a PATH on the command line names, for every command that takes a file: an input path, or
// a path in the view — as given, or under a mount or a materialized tree.
#pragma once

#include "index/catalog/catalog.hpp"
#include "index/core/placement.hpp"

#include <optional>
#include <string>

namespace ipd::tools {

// The placement of the input file `path` names: an input path (as given, made absolute, or
// with its folder resolved), else a view path (the shortest tail of `path` that is one, so a
// path inside a mount or a materialized tree works). nullopt when it names neither; then, when
// it names a generated file of the view (README.txt), its view path is put in `generated`.
std::optional<Placement> find_placement(const Catalog& catalog, const std::string& path,
                                        std::string* generated = nullptr);

} // namespace ipd::tools
