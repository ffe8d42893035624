#!/usr/bin/env bash
# The user's command: set up (packages, build) and index the folders named.
#   scripts/run.sh FOLDER... [index options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
  echo "usage: scripts/run.sh FOLDER... [--catalog DIR] [--jobs N] [--rebuild]" >&2
  exit 2
fi
"$here/setup.sh"
build=$("$here/build.sh" release)
exec "$here/../$build/tools/iphone-photo-dedup" index "$@"
