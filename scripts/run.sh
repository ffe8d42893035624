#!/usr/bin/env bash
# The user's command: set up (packages, build the tool and its two modules, no tests), then index
# the folders named and plan the view.
#   scripts/run.sh FOLDER... [index options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
  echo "usage: scripts/run.sh FOLDER... [--catalog DIR] [--jobs N] [--threshold X] [--full-compare]" >&2
  echo "                                [--no-raw-sidecars] [--rebuild]" >&2
  exit 2
fi
"$here/setup.sh"
build=$("$here/build.sh" release iphone-photo-dedup)
bin="$(cd "$here/../$build/tools" && pwd)/iphone-photo-dedup"
status=0
"$bin" index "$@" || status=$?
if [ "$status" -le 1 ]; then
  cat <<EOT

next, with $bin:
  mount ~/view            browse the curated view (then: unmount ~/view)
  materialize ~/Curated   make it permanent as hard links
  explain PATH            why a file is where it is
EOT
fi
exit "$status"
