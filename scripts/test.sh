#!/usr/bin/env bash
# The developer's command: set up (packages, build with warnings as errors) and run every test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/setup.sh"
"$here/format.sh" --check
cd "$here/.."
build=$("$here/build.sh" ci)
ctest --test-dir "$build" --output-on-failure
