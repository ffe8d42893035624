// JSON output: strings escaped for any input bytes, and one object per file record.
#pragma once

#include "index/core/record.hpp"
#include "index/plan/plan.hpp"

#include <string>
#include <string_view>

namespace ipd {

// A JSON string literal (quotes included). Bytes that are not valid UTF-8 become U+FFFD.
std::string json_string(std::string_view text);
// True when `text` is valid UTF-8.
bool valid_utf8(std::string_view text);

// One line of `list --json` for a file record and its placement (no trailing newline).
std::string record_json(const FileRecord& record, const Placement* placement = nullptr);

// `path` for a terminal or a log line: control characters and invalid UTF-8 shown as \xNN,
// so a newline in a file name cannot break a line of output.
std::string display_path(std::string_view path);

} // namespace ipd
