#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), all of it or only the targets
# named (with what they need). Prints the build directory.
#   scripts/build.sh [PRESET [TARGET...]]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
targets=()
if [ $# -gt 0 ]; then
  targets=(--target "$@")
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "${targets[@]}" >&2
echo "build/$preset"
