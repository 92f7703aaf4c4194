#!/usr/bin/env bash
# The API reference: Doxygen (docs/Doxyfile.in, WARN_AS_ERROR) over the public headers, into a
# scratch directory; any warning fails. Checks that the reference has the main pages.
#
#   test_api_docs.sh DOXYGEN DOXYFILE
# Exit: 0 clean, 1 a warning or a missing page, 77 skip (no Doxygen).
set -uo pipefail
doxygen=$1 doxyfile=$2
if [[ -z "$doxygen" || "$doxygen" == *NOTFOUND ]] || ! command -v "$doxygen" >/dev/null; then
  echo "SKIP: no doxygen (scripts/install-deps.sh installs it): the API reference not checked"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The same settings, another output directory.
{ cat "$doxyfile"; echo "OUTPUT_DIRECTORY = $tmp"; } >"$tmp/Doxyfile"
if ! "$doxygen" "$tmp/Doxyfile" >"$tmp/log" 2>&1; then
  cat "$tmp/log"
  echo "FAIL doxygen failed (a warning is an error)"
  exit 1
fi
if [[ -s "$tmp/log" ]]; then
  cat "$tmp/log"
  echo "FAIL doxygen printed something: a warning?"
  exit 1
fi
fails=0
for page in index.html stack_8h.html socket_8h.html sim_8h.html loop_8h.html version_8h.html; do
  if [[ -f "$tmp/html/$page" ]]; then echo "ok   $page"; else echo "FAIL no $page"; fails=1; fi
done
if ! grep -q "ltcp_stack_next_deadline" "$tmp/html/stack_8h.html"; then
  echo "FAIL stack.h's functions are missing"
  fails=1
fi
exit $fails
