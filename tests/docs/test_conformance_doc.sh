#!/usr/bin/env bash
# docs/conformance.md must be what scripts/rfc9293-coverage.py makes of RFC 9293's Appendix B,
# the requirement labels the tests cite and docs/conformance-status.tsv. Without the RFC's text
# or a Python 3 interpreter nothing can be compared: that is a skip, and it says why.
#
#   test_conformance_doc.sh PYTHON RFC9293_TXT     (from the source root)
# Exit: 0 current, 1 out of date (the diff is printed), 77 skip.
set -uo pipefail
python=$1 rfc=$2
if [[ -z "$python" ]] || ! command -v "$python" >/dev/null 2>&1; then
  echo "SKIP: no Python 3 interpreter (CMake found '${python}'): docs/conformance.md not checked"
  exit 77
fi
if [[ ! -f "$rfc" ]]; then
  echo "SKIP: RFC 9293's text is missing ($rfc): docs/conformance.md not checked"
  exit 77
fi
new=$(mktemp)
trap 'rm -f "$new"' EXIT
"$python" scripts/rfc9293-coverage.py --rfc "$rfc" --doc docs/conformance-status.tsv >"$new" || {
  echo "scripts/rfc9293-coverage.py failed"
  exit 1
}
if ! diff -u docs/conformance.md "$new"; then
  echo "docs/conformance.md is out of date; make it again with"
  echo "  scripts/rfc9293-coverage.py --doc docs/conformance-status.tsv > docs/conformance.md"
  exit 1
fi
echo "docs/conformance.md is current"
