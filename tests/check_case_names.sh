#!/usr/bin/env bash
# Checks that each doctest case of the unit binary can be run alone by its name, i.e. that
# `ipd_tests -tc='NAME'` selects that one case: no name holds a comma (doctest splits filters
# on it), a `*` or `?` (wildcards), a backslash (doctest's escape) or a `;` (CMake's list
# separator, which would split the ctest test), and no two names differ only in case (doctest
# matches names without regard to case).
#   tests/check_case_names.sh BUILD/tests/ipd_tests
set -euo pipefail
bin=$1
mapfile -t names < <("$bin" --list-test-cases --no-version | grep -v -e '^\[doctest\]' -e '^=====')
if [ ${#names[@]} -eq 0 ]; then
  echo "no test cases listed by $bin" >&2
  exit 1
fi
bad=0
for name in "${names[@]}"; do
  if [[ $name == *[,\;\\*?]* ]]; then
    echo "cannot be run alone by name (a comma, ';', '\\', '*' or '?'): $name" >&2
    bad=1
  fi
done
while IFS= read -r twice; do
  echo "two cases have this name (ignoring case): $twice" >&2
  bad=1
done < <(printf '%s\n' "${names[@]}" | sort -f | uniq -di)
# One real run of the filter: all names, comma-separated, select all cases and no more.
count=$(IFS=,; "$bin" "-tc=${names[*]}" --count --no-version | sed -n 's/.*passing the current filters: //p')
if [ "$count" != ${#names[@]} ]; then
  echo "the names select $count cases, not ${#names[@]}" >&2
  bad=1
fi
echo "${#names[@]} test case names checked"
exit "$bad"
