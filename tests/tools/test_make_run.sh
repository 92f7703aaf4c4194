#!/usr/bin/env bash
# `make run` and scripts/install-deps.sh, with stand-ins for cmake, the command, dpkg-query and
# apt-get on PATH (nothing is built or installed, no package manager is touched): make run
# builds the command's target only, prints one line and then the demo (no "Entering directory",
# the build's output only when it fails); install-deps waits for another apt's lock, tries again
# until its deadline, and fails at once on another error.
set -euo pipefail
root=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME COMMAND...
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
# A user's shell, not a make: a MAKELEVEL inherited from `make test` would make make print
# "Entering directory" by itself.
unset MAKELEVEL MAKEFLAGS MFLAGS
mkdir -p "$tmp/bin"

# ---- make run
cat >"$tmp/bin/cmake" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$STUB_LOG"
if [ "$1" = "--build" ]; then
  echo "make[1]: Entering directory '/somewhere'"
  echo "[ 50%] Building C object CMakeFiles/x.dir/x.c.o"
  if [ -n "${STUB_FAIL:-}" ]; then echo "x.c:1:1: error: boom" >&2; exit 2; fi
  exit 0
fi
while [ $# -gt 0 ]; do [ "$1" = "-B" ] && mkdir -p "$2"; shift; done
printf '#!/bin/sh\necho "DEMO $*"\n' >"$STUB_BIN"
chmod +x "$STUB_BIN"
EOF
chmod +x "$tmp/bin/cmake"
run() { # run BUILD: make run with the stand-ins; output in $tmp/run.out, status in $rc
  rc=0
  (cd "$root" && PATH="$tmp/bin:$PATH" STUB_LOG="$tmp/cmake.log" STUB_BIN="$1/release/lucidtcp" \
     make run BUILD="$1" JOBS=2) >"$tmp/run.out" 2>&1 || rc=$?
}
run "$tmp/b"
check "make run exits 0" test "$rc" = 0
check "make run: one line, then the demo" \
  test "$(cat "$tmp/run.out")" = "make run: building lucidtcp in $tmp/b/release
DEMO demo"
check "make run builds lucidtcp_cmd only" grep -q -- "--build $tmp/b/release -j 2 --target lucidtcp_cmd -- --no-print-directory" "$tmp/cmake.log"
check "make run configures without the tests" grep -q -- "-DLTCP_TESTS=OFF" "$tmp/cmake.log"
STUB_FAIL=1 run "$tmp/b"
check "a failed build: make run fails" test "$rc" != 0
check "a failed build: its output is shown" grep -q "x.c:1:1: error: boom" "$tmp/run.out"
check "a failed build: the demo does not run" bash -c "! grep -q DEMO '$tmp/run.out'"

# ---- install-deps
cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/sh
echo "unknown ok not-installed"
EOF
cat >"$tmp/bin/id" <<'EOF'
#!/bin/sh
echo 0
EOF
# apt-get: fails with apt's lock message while $STUB_LOCKED tries remain, then succeeds.
cat >"$tmp/bin/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$STUB_LOG"
n=$(cat "$STUB_COUNT" 2>/dev/null || echo 0)
echo $((n + 1)) >"$STUB_COUNT"
if [ -n "${STUB_OTHER:-}" ]; then echo "E: Unable to locate package nosuch" >&2; exit 100; fi
if [ "$n" -lt "${STUB_LOCKED:-0}" ]; then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
  echo "E: Unable to lock directory /var/lib/apt/lists/" >&2
  exit 100
fi
echo "Reading package lists..."
EOF
chmod +x "$tmp/bin/"*
deps() { # deps ARGS...: install-deps with the stand-ins; output in $tmp/deps.out, status in $rc
  rc=0
  rm -f "$tmp/apt.log" "$tmp/count"
  PATH="$tmp/bin:$PATH" STUB_LOG="$tmp/apt.log" STUB_COUNT="$tmp/count" \
    timeout 30 bash "$root/scripts/install-deps.sh" "$@" >"$tmp/deps.out" 2>&1 || rc=$?
}
STUB_LOCKED=2 deps run
check "install-deps waits for the lock: exits 0" test "$rc" = 0
check "install-deps says it waits" grep -q "another apt or dpkg is running (/var/lib/apt/lists/lock); waiting" "$tmp/deps.out"
check "install-deps: update tried until the lock is free, then install" \
  test "$(cut -d' ' -f3 "$tmp/apt.log" | tr '\n' ' ')" = "update update update install "
check "install-deps: apt waits for dpkg's own locks" grep -q "^-o DPkg::Lock::Timeout=600 install" "$tmp/apt.log"
check "install-deps run: compiler, headers, cmake, make only" \
  grep -qx -- "-o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends cmake gcc libc6-dev make" "$tmp/apt.log"
STUB_LOCKED=1000 LTCP_APT_WAIT=2 deps
check "a lock held past the deadline: exits 1" test "$rc" = 1
check "a lock held past the deadline: apt's message is shown" grep -q "Could not get lock" "$tmp/deps.out"
check "install-deps (test): the test tools too" grep -q "install.* libcmocka-dev tshark curl iproute2 iputils-ping python3" \
  <(STUB_LOCKED=0 deps; cat "$tmp/apt.log")
STUB_OTHER=1 deps run
check "another apt error: fails at once" test "$rc" = 1 -a "$(cat "$tmp/count")" = 1
check "another apt error: shown" grep -q "Unable to locate package nosuch" "$tmp/deps.out"
deps --bogus
check "install-deps with a bad argument exits 2" test "$rc" = 2

echo "$fails failed"
[ "$fails" -eq 0 ]
