// Reading what the tool prints: lines, and the flat JSON objects of `list --json`.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ipd::test {

// One line of `list --json`: a flat object, every value as its text (strings unescaped).
using JsonObject = std::map<std::string, std::string>;

// Parses a flat JSON object into `out`; returns false on anything else.
bool parse_flat_json(const std::string& line, JsonObject& out);
// The value of `key` in one line of `list --json`; empty when absent or the line is not an object.
std::string json_field(const std::string& line, const std::string& key);
// The lines of `text`, without their newlines.
std::vector<std::string> lines_of(const std::string& text);
// The first control character in `text` other than the newlines that end its lines: a C0
// control, DEL, or a C1 control (UTF-8 C2 80..C2 9F), with the text around it; empty when
// there is none. What the tool prints for a person must give none.
std::string first_control_character(const std::string& text);

} // namespace ipd::test
