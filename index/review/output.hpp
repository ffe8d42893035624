// Writing the review's own files in DIR: each whole or not at all.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ipd::review {

// Writes `bytes` to `path` through a file of its own beside it, renamed over `path` when
// complete, so a reader never sees half of it. Returns false with a message in `error`.
bool write_whole(const std::filesystem::path& path, std::string_view bytes, std::string& error);

} // namespace ipd::review
