// JSON output: strings escaped for any input bytes, and one object per file record.
#pragma once

#include "index/core/placement.hpp"
#include "index/core/record.hpp"

#include <string>
#include <string_view>

namespace ipd {

// A JSON string literal (quotes included). Bytes that are not valid UTF-8 become U+FFFD.
std::string json_string(std::string_view text);

// One line of `list --json` for a file record and its placement (no trailing newline).
std::string record_json(const FileRecord& record, const Placement* placement = nullptr);

} // namespace ipd
