#!/usr/bin/env bash
# Installs the Debian packages iphone-photo-dedup needs to build, test and run; with --tests
# also clang and its sanitizer and libFuzzer runtimes, which only the fuzz targets need.
# A no-op when everything is present. Debian 12 gets libheif from bookworm-backports:
# the stock 1.15 cannot open HEICs from iOS 17 on (docs/DESIGN.md §10).
#   scripts/setup.sh [--tests]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format
  libfuse3-dev fuse3 libexiv2-dev libheif-dev libheif-plugin-libde265 libheif-plugin-x265 libmagic-dev
  libjpeg-dev libvips-dev librocksdb-dev libtbb-dev doctest-dev libavformat-dev
  libimage-exiftool-perl attr
  zsh groff-base
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(clang libclang-rt-dev) # libclang-rt-dev: clang's default version's compiler-rt
fi

# With --tests, the browser the test of the review page opens it in (Debian's chromium); that
# test skips with a message when there is none, so a browser that cannot be installed does not
# stop the set-up.
browser=()
if [ "${1:-}" = "--tests" ]; then
  browser=(chromium)
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
backports=()
if [ "$codename" = bookworm ]; then
  heif=$(dpkg-query -W -f='${Version}' libheif-dev 2>/dev/null || true)
  if [ -z "$heif" ] || dpkg --compare-versions "$heif" lt 1.17; then
    backports=(libheif-dev libheif1 libheif-plugin-libde265 libheif-plugin-x265)
    list=/etc/apt/sources.list.d/bookworm-backports.list
    if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "setup: enabling bookworm-backports for libheif >= 1.17"
      echo 'deb http://deb.debian.org/debian bookworm-backports main' | "${sudo[@]}" tee "$list" >/dev/null
    fi
  fi
fi

browser_missing=()
for p in "${browser[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    browser_missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ] && [ ${#backports[@]} -eq 0 ] && [ ${#browser_missing[@]} -eq 0 ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]} ${backports[*]} ${browser_missing[*]}"
"${sudo[@]}" apt-get update -qq
if [ ${#backports[@]} -gt 0 ]; then
  "${sudo[@]}" apt-get install -y -qq -t bookworm-backports "${backports[@]}"
fi
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ${#browser_missing[@]} -gt 0 ]; then
  if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${browser_missing[@]}"; then
    echo "setup: ${browser_missing[*]} could not be installed: the test of the review page will skip" >&2
  fi
fi
