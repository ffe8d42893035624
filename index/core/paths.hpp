// Paths as strings: the view's relative paths ("Apple iPhone 8/2019/2019-07/x.JPG") and the
// inputs' absolute ones. Nothing here touches the file system.
#pragma once

#include <string>
#include <string_view>

namespace ipd {

// "a/b/c.JPG" -> "a/b"; "c.JPG" -> "".
std::string_view parent_of(std::string_view path);
// "a/b/c.JPG" -> "c.JPG".
std::string_view leaf_of(std::string_view path);
// "IMG_1.JPG" -> "IMG_1"; a leading dot is part of the stem (".DS_Store" -> ".DS_Store").
std::string_view stem_of(std::string_view name);
// "IMG_1.JPG" -> "JPG"; "" when the name has no extension.
std::string_view ext_of(std::string_view name);

// True for a relative path with no empty, "." or ".." component and no NUL: it stays inside
// the folder it is taken from.
bool is_contained_path(std::string_view path);

// True when `path` is `dir` or lies under it (`dir` "/" holds every absolute path).
bool is_inside(std::string_view path, std::string_view dir);

// `path` relative to `root`, which holds it ("/r/a/b", "/r" -> "a/b"); "" for the root itself.
std::string relative_to(std::string_view path, std::string_view root);

} // namespace ipd
