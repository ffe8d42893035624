// Which copy of a capture is kept (docs/DESIGN.md §6): the ranking, rule by
// rule, and the words for why one copy beat another. Pure functions of the records.
#pragma once

#include "index/core/record.hpp"

#include <string>
#include <string_view>

namespace ipd {

// An edited render by its name: Apple's IMG_E1234, or the "-edited"/"_edited"/" edited" names of
// Google Photos and osxphotos. An edit is never a copy of its original.
bool is_edit_name(std::string_view stem);

// Software that rewrites pictures (an editor, an importer, a converter), by its Software tag.
bool is_editor_software(std::string_view software);
// Software that may change what a picture shows, here or there (an editor, a filter app), rather
// than only re-encode, resize or retag it (an importer, a converter): a sample, which sees a few
// percent of the picture, never decides alone for a file it wrote.
bool is_pixel_editor(std::string_view software);

// Rule 1, the capture-original format: 0 is best. Stills: RAW 0, HEIC/AVIF 1, JPEG 2, other 3;
// movies: MOV 0, MP4/M4V/3GP 1, other 2.
int format_rank(const FileRecord& record);

// Rule 3, camera-original metadata: Apple MakerNote +2, a content identifier +1, Software +1 for
// a camera's, -1 for an editor's.
int camera_score(const FileRecord& record);

// A DNG made by a raw converter, not by the camera: it names its source (OriginalRawFileName),
// or its maker's cameras write their own RAW format and no DNG (Canon, Nikon, Sony, Fujifilm,
// Olympus/OM, Panasonic, Minolta). Apple ProRAW and other cameras' own DNGs are not.
bool is_dng_conversion(const FileRecord& record);

// The whole ranking: true when `a` is the better copy of one capture. Rules in order: intact
// before damaged (then less missing first), format, a camera's own RAW before a DNG converted
// from it, pixels (not between two RAW files), camera metadata, oldest mtime, shortest path,
// then byte order of the paths — a total order, so the keeper never depends on the order files
// were found in.
bool better(const FileRecord& a, const FileRecord& b);

// The rule that made `keeper` beat `other`, in words ("original format HEIC over JPG").
std::string why_better(const FileRecord& keeper, const FileRecord& other);

// The format as the view names it ("HEIC", "JPG"; the short name when the view has no extension).
std::string format_label(const FileRecord& record);

} // namespace ipd
