// Cheap completeness checks: does a file hold all of its own structure, or was it cut short?
// They read only the structure (box headers, chunk headers, the JPEG tail), never decode.
#pragma once

#include "index/core/record.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace ipd {

// Returns what is wrong ("truncated: ...", "corrupt: ...") when `data`, the whole file of the
// given format, ends before its structure does; empty when it looks complete or the format
// has no check.
std::string check_complete(Format format, std::span<const std::uint8_t> data);

} // namespace ipd
