// A fast 64-bit hash of file contents, for finding byte-identical files among files of one size.
#pragma once

#include <cstdint>
#include <span>

namespace ipd {

// Hash of `bytes` (never 0, so that 0 can mean "not computed"). Not cryptographic: it tells
// apart files that already have the same size and the same first block.
std::uint64_t content_hash(std::span<const std::uint8_t> bytes);

} // namespace ipd
