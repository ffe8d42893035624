// File-system helpers for writing into OUTDIR: every call is relative to an open folder (the
// *at() system calls) and follows no symlink, and a file appears whole or not at all.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>

namespace ipd::materialize_detail {

// The whole content of `name` in folder `dirfd` (not followed if a symlink, its atime left as
// it was), or nullopt.
std::optional<std::string> read_at(int dirfd, const char* name);

// True when the two descriptors read the same bytes to the end.
bool same_bytes(int a, int b);

// Copies the rest of `in` to `out`: copy_file_range, else read/write. Returns 0 or errno.
int copy_bytes(int in, int out);

// True for the errno values that say a filesystem cannot clone (FICLONE) a file.
bool cannot_clone(int err);

// Makes file `name` in `dirfd` holding what `fill(fd)` writes (0 or an errno), atomically: it
// appears complete or not at all, and never replaces anything (EEXIST). Unnamed (O_TMPFILE)
// until complete; where the filesystem has no O_TMPFILE, a ".NAME.ipd-partial" beside it that
// is renamed without replacing. Returns 0 or errno; `st` describes the new file.
int create_file(int dirfd, const char* name, mode_t mode, const std::function<int(int fd)>& fill,
                struct stat& st);

// The parent folder of `path` (relative to `root`), opened O_PATH one component at a time
// without following any symlink; -1 with errno set on failure. `leaf` gets the last component.
int open_parent(int root, std::string_view path, std::string& leaf);

// The target of symlink `name` in `dirfd`; "" when it cannot be read.
std::string symlink_target(int dirfd, const char* name);

// What stands at dirfd/name (`st`), for a conflict line: "a folder", "a symbolic link to …".
std::string describe(int dirfd, const char* name, const struct stat& st);

} // namespace ipd::materialize_detail
