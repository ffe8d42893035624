// A small generated library with a file of every kind the plan places, for the tests of what
// comes after the plan (materialize, verify).
#pragma once

#include <filesystem>

namespace ipd::test {

// Writes under `root`: keepers (a HEIC, JPGs, a movie), a JPG converted from the HEIC and a
// byte copy of that JPG (its duplicates), an AAE sidecar, a screenshot without a capture time
// and two non-media files, in a few folders. `seed` varies the pictures.
void make_small_library(const std::filesystem::path& root, unsigned seed = 0);

} // namespace ipd::test
