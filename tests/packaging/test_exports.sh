#!/usr/bin/env bash
# The shared library's export table (nm -D): every symbol starts with ltcp_, and the exports are
# exactly the functions include/lucidtcp/ declares (src/lucidtcp.map lists them), so a user can
# call every public function and nothing else. Also the soname.
#
#   test_exports.sh LIBLUCIDTCP.SO SOURCE_DIR
set -uo pipefail
lib=$1 src=$2
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
if [[ ! -f "$lib" ]]; then
  echo "FAIL the shared library $lib is missing"
  exit 1
fi
exports=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u)
[[ -n "$exports" ]] || fail "nm -D found no exported symbol in $lib"
stray=$(grep -v '^ltcp_' <<<"$exports")
[[ -z "$stray" ]] && echo "ok   every exported symbol starts with ltcp_" ||
  fail "exported without the ltcp_ prefix:" $stray
# The public functions: declarations in the public headers, comments stripped, static inline
# helpers left out (they are not in the library).
declared=$(for h in "$src"/include/lucidtcp/*.h "$src"/include/lucidtcp/*/*.h \
                    "$src"/include/lucidtcp/version.h.in; do
             gcc -fpreprocessed -P -E -x c "$h"
           done | grep -v '\bstatic\b' | grep -oE '\bltcp_[a-z0-9_]+\(' | tr -d '(' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exports"))
extra=$(comm -13 <(echo "$declared") <(echo "$exports"))
[[ -z "$missing" ]] && echo "ok   every public function is exported ($(wc -l <<<"$declared"))" ||
  fail "declared in include/lucidtcp/ but not exported (add to src/lucidtcp.map):" $missing
[[ -z "$extra" ]] && echo "ok   nothing exported beyond the public headers" ||
  fail "exported but declared in no public header:" $extra
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ "$soname" == liblucidtcp.so.0 ]] && echo "ok   soname $soname" ||
  fail "soname is '$soname', not liblucidtcp.so.0"
exit $((fails > 0))
