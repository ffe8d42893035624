#!/usr/bin/env bash
# The developer's command, and CI's: set up (packages, build with warnings as errors), run every
# test case, then the same suite under AddressSanitizer + UBSan, then each fuzz target briefly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/setup.sh" --tests
"$here/format.sh" --check
cd "$here/.."
start=$SECONDS
build=$("$here/build.sh" ci)
"$here/package.sh" ci >/dev/null # the .deb builds and holds what it should (seconds: no new compile)
ctest --test-dir "$build" --output-on-failure
ci=$((SECONDS - start))

echo "test.sh: the suite again under AddressSanitizer + UBSan (build/asan)"
start=$SECONDS
"$here/build.sh" asan >/dev/null
ctest --preset asan
asan=$((SECONDS - start))

echo "test.sh: the fuzz targets (clang, libFuzzer, build/fuzz)"
start=$SECONDS
"$here/build.sh" fuzz >/dev/null
ctest --preset fuzz
fuzz=$((SECONDS - start))
echo "test.sh: ci build and suite ${ci} s, asan ${asan} s, fuzz ${fuzz} s (each with its build)"
