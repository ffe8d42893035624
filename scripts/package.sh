#!/usr/bin/env bash
# Builds the product of a preset (default: release; tests are not built) and a Debian package
# of it with CPack, checks that the package holds the binary, its modules, the man page and the
# completions, and runs the packaged binary's --version from an unpacked copy. Prints the path
# of the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
build=build/$preset
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target iphone-photo-dedup ipd_docs >&2
rm -rf "$build/package"
(cd "$build" && cpack -G DEB -B "$PWD/package" >&2)
deb=$(ls "$build"/package/iphone-photo-dedup_*.deb)

dpkg-deb --info "$deb" >&2
dpkg-deb --contents "$deb" >&2
expected=(
  ./usr/bin/iphone-photo-dedup
  ./usr/lib/iphone-photo-dedup/libipd_movie.so
  ./usr/lib/iphone-photo-dedup/libipd_pixels.so
  ./usr/share/man/man1/iphone-photo-dedup.1.gz
  ./usr/share/bash-completion/completions/iphone-photo-dedup
  ./usr/share/zsh/site-functions/_iphone-photo-dedup
)
files=$(dpkg-deb --contents "$deb" | awk '$1 !~ /^d/ {print $6}' | sort)
if [ "$files" != "$(printf '%s\n' "${expected[@]}" | sort)" ]; then
  echo "package: $deb holds other files than expected:" >&2
  diff <(printf '%s\n' "${expected[@]}" | sort) <(echo "$files") >&2 || true
  exit 1
fi
for field in Depends Maintainer Description; do
  if [ -z "$(dpkg-deb --field "$deb" "$field")" ]; then
    echo "package: $deb has no $field" >&2
    exit 1
  fi
done

# The unpacked binary must find its modules beside it, in usr/lib/iphone-photo-dedup.
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb --extract "$deb" "$unpacked"
version=$(env -u IPD_MODULE_DIR "$unpacked/usr/bin/iphone-photo-dedup" --version)
echo "$version" >&2
if ! grep -qF "(pixels module $unpacked/usr/lib/iphone-photo-dedup/libipd_pixels.so)" <<<"$version"; then
  echo "package: the unpacked binary did not load its own pixels module" >&2
  exit 1
fi
echo "$deb"
