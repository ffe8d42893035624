// The pages of the review (docs/DESIGN.md §8, review): DIR/index.html with the counts and a link
// to every page, and DIR/pages/*.html, at most k_items_per_page items each:
//
//   index.html                       counts (as `list --json` has them), shelves, lists
//   pages/<device>-<YYYY-MM>-<n>.html  captures with copies, near misses, Live Photos of a month
//   pages/unknown-time-<n>.html      files without a capture time, with previews
//   pages/other-<n>.html             files that are not photos or videos
//   pages/unreadable-<n>.html        files with an error, and files the view does not serve
//   pages/decisions-<n>.html         the user's decisions, with what the last plan made of them
#pragma once

#include "index/core/progress.hpp"
#include "index/review/html.hpp"

#include <cstddef>
#include <filesystem>

namespace ipd::review {

// Items on one page: a month of a 100k-file library is split over several.
inline constexpr std::size_t k_items_per_page = 100;

// Writes every page of `ctx.model` into `dir`, and deletes the pages an earlier run made that this
// one did not. Returns the number of pages written (index.html included). Throws Fatal when a
// page cannot be written.
std::size_t write_pages(const CardContext& ctx, const std::filesystem::path& dir, Progress* progress);

} // namespace ipd::review
