// The review page's previews, cached by content in DIR/thumbs (docs/DESIGN.md §8, review): one
// JPEG per content (its size and the hash of all its bytes), named after it, so a second run
// makes only the previews of new contents, and a moved or renamed file finds its preview again.
//
//   DIR/thumbs/<hash>-<size>.jpg   a preview (pixels/thumbnail.hpp), written whole or not at all
//   DIR/thumbs/contents.tsv        dev, inode, size, mtime, ctime and hash of each file seen, so
//                                  that an unchanged file is not read again to learn its hash
#pragma once

#include "index/core/progress.hpp"
#include "index/review/model.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ipd::review {

// What became of one file's preview.
struct Preview {
  std::string url;         // relative to DIR ("thumbs/…jpg"); empty when there is none
  std::string note;        // why there is none: "no preview for movies", "cannot decode image: …"
  bool read_error = false; // the file could not be read now (gone, unreadable, changed)
};

struct PreviewReport {
  std::vector<Preview> previews; // for each file of the model; empty url and note when not asked
  std::uint64_t made = 0;        // previews decoded and written this run
  std::uint64_t reused = 0;      // previews already in the cache
  std::uint64_t removed = 0;     // cached previews no item uses any more, deleted
  std::uint64_t failed = 0;      // stills that could not be decoded
  std::uint64_t bytes_read = 0;
};

// Makes or finds the preview of each file of `wanted` (indices into model.files), in parallel
// (oneTBB), reporting to `progress` (may be null); deletes the cached previews no
// longer wanted and rewrites contents.tsv. Inputs are only read (O_NOATIME). Throws Fatal when
// DIR/thumbs cannot be written.
PreviewReport make_previews(const Model& model, const std::vector<std::size_t>& wanted,
                            const std::filesystem::path& dir, Progress* progress);

} // namespace ipd::review
