# lucidtcp: a thin front for CMake. The README's two promises: `make run` and `make test`.
BUILD      ?= build
CC_TEST    ?= gcc
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

PREFIX     ?= /usr/local

.PHONY: all run test soak swarm-soak conformance bench deps deps-run bench-deps build build-asan \
        build-clang clean install docs docs-deps deb deb-deps fuzz synflood

all: build

deps:
	@scripts/install-deps.sh

# What `make run` needs: a C compiler and CMake (no cmocka, clang or the interop tools).
deps-run:
	@scripts/install-deps.sh run

# Optimised build for running the command.
build: deps
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTCP_TESTS=ON >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS)

# Only the command (not the tests), quietly: one line, then the demo. The build's own output is
# shown only when it fails.
run: deps-run
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTCP_TESTS=OFF >/dev/null
	@echo "make run: building lucidtcp in $(BUILD)/release"
	@cmake --build $(BUILD)/release -j $(JOBS) --target lucidtcp_cmd -- --no-print-directory \
	  >$(BUILD)/release/run-build.log 2>&1 || { cat $(BUILD)/release/run-build.log; exit 1; }
	@$(BUILD)/release/lucidtcp demo

# Tests run under AddressSanitizer + UndefinedBehaviorSanitizer (leak checking included),
# and the whole tree must also build warning-free with clang.
build-asan: deps
	@cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=$(CC_TEST) -DLTCP_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)/asan -j $(JOBS)

build-clang: deps
	@cmake -S . -B $(BUILD)/clang -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(BUILD)/clang -j $(JOBS)

# The fuzz targets (fuzz/, label fuzz) exist only in the clang build: each replays its seed
# corpus and fuzzes for 5 s there (about 6 s each, 12 s at -j 2).
test: build-asan build-clang
	@cd $(BUILD)/asan && ctest --output-on-failure -j $(JOBS) -LE soak
	@cd $(BUILD)/clang && ctest --output-on-failure -j $(JOBS) -L fuzz

# libFuzzer under ASan and UBSan (docs/fuzzing.md): each target of fuzz/ in turn for
# FUZZ_SECONDS from its committed seeds; new inputs and any crash go to $(BUILD)/clang/fuzz/work.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = packet packet6 segments script http capture
fuzz: build-clang
	@for t in $(FUZZ_TARGETS); do \
	  test -x $(BUILD)/clang/fuzz/fuzz_$$t || { echo "make fuzz: no fuzz_$$t (clang cannot link -fsanitize=fuzzer)"; exit 1; }; \
	  sh fuzz/run.sh $(BUILD)/clang/fuzz/fuzz_$$t fuzz/corpus/$$t $(FUZZ_SECONDS) \
	    $(abspath $(BUILD))/clang/fuzz/work/$$t || exit 1; \
	done

# The long runs make test leaves out: 18,000 more property seeds (tests/prop, ASan), then
# SEEDS seeds of the adversarial simulation swarm (tests/swarm) from SEED_START on every core
# (JOBS processes, scripts/swarm-soak.sh). SEEDS applies to the swarm only; SWARM_BUILD=release
# runs it in the RelWithDebInfo build (assertions on, no sanitizers, several times faster).
# make swarm-soak runs the swarm part alone. make test runs swarm seeds 1-60.
SEEDS       ?= 2000
SEED_START  ?= 1001
SWARM_BUILD ?= asan
soak: build-asan $(if $(filter release,$(SWARM_BUILD)),build)
	@cd $(BUILD)/asan && ctest --output-on-failure -j $(JOBS) -L soak
	@scripts/swarm-soak.sh $(BUILD)/$(SWARM_BUILD)/tests/test_swarm $(SEED_START) $(SEEDS) $(JOBS)

swarm-soak: $(if $(filter release,$(SWARM_BUILD)),build,build-asan)
	@scripts/swarm-soak.sh $(BUILD)/$(SWARM_BUILD)/tests/test_swarm $(SEED_START) $(SEEDS) $(JOBS)

# FreeBSD's tcp-testsuite against its expectations files, IPv4 then IPv6, a row per subdirectory
# (make test runs the same checks as the tcp_testsuite and tcp_testsuite_ipv6 tests).
conformance: build
	@rc=0; python3 tests/conformance/check.py --lucidtcp $(BUILD)/release/lucidtcp --detail || rc=1; \
	  echo; python3 tests/conformance/check.py --lucidtcp $(BUILD)/release/lucidtcp --detail --family ipv6 || rc=1; \
	  exit $$rc

# RFC 4987 in simulation (README's SYN flood figure): 1,000,000 spoofed SYNs per second of
# virtual time for 10 s against a listener while 1000 legitimate clients connect; the optimised
# build. SYNFLOOD_ARGS changes it (tests/sim/syn_flood.c --help lists the options).
SYNFLOOD_ARGS ?= --rate 1000000 --seconds 10 --clients 1000
synflood: deps
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLTCP_TESTS=ON >/dev/null
	@cmake --build $(BUILD)/release -j $(JOBS) --target syn_flood -- --no-print-directory
	@$(BUILD)/release/tests/syn_flood $(SYNFLOOD_ARGS)

# The benchmark suite (bench/): its own CMake project, optimised (-O2, NDEBUG, no sanitizers),
# never built by `make test`. BENCH_REPS=N runs each figure N times (default 5).
bench-deps: deps
	@scripts/install-bench-deps.sh

bench: bench-deps
	@cmake -S bench -B $(BUILD)/bench -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD)/bench -j $(JOBS) --target ltcp_bench kernel_bench tun_rate lucidtcp_cmd -- --no-print-directory
	@cmake --build $(BUILD)/bench -j $(JOBS) --target lwip_bench -- --no-print-directory 2>/dev/null || \
	  echo "bench: no lwip_bench (liblwip-dev missing); the lwIP rows are left out"
	@bench/run.sh $(BUILD)/bench

# The optimised build, installed: the library (shared and static), headers, lucidtcp.pc, the
# CMake package, the command and its man page under PREFIX (DESTDIR is honoured).
install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD)/release --prefix "$(PREFIX)"

# The API reference from the public headers (Doxygen): $(BUILD)/docs/html/index.html.
docs-deps:
	@scripts/install-deps.sh doxygen

docs: docs-deps
	@cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLTCP_DOCS_DIR="$(abspath $(BUILD))/docs" >/dev/null
	@cmake --build $(BUILD)/release --target docs -- --no-print-directory

# The Debian packages (debian/), built in a copy of the tree under $(BUILD)/deb and checked by
# lintian: liblucidtcp0, liblucidtcp-dev and lucidtcp .deb files in $(BUILD)/deb.
deb-deps:
	@scripts/install-deps.sh debhelper dpkg-dev lintian fakeroot cmake gcc libpcap-dev zlib1g-dev \
	  liburing-dev

deb: deb-deps
	@scripts/build-deb.sh $(BUILD)/deb

clean:
	rm -rf $(BUILD)
