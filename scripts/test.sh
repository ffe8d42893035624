#!/usr/bin/env bash
# The developer's command: set up (packages, build with warnings as errors) and run every test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/setup.sh"
"$here/format.sh" --check
cd "$here/.."
build=$("$here/build.sh" ci)
"$here/package.sh" ci >/dev/null # the .deb builds and holds what it should (seconds: no new compile)
ctest --test-dir "$build" --output-on-failure
