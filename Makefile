# The two commands of the README:
#   make run   installs missing Debian packages, builds Release, starts the development node
#              (polyvm node: JSON-RPC on 127.0.0.1:8545, chain in .polyvm/dev; NODE_ARGS adds options)
#   make test  the same, then every test suite (unit, state tests, sanitizer builds)
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
JOBS      ?= $(shell nproc)
# Each stage's wall-clock time, printed as it ends and together at the end of `make test`.
STAGE_CLOCK = STAGE_CLOCK_LOG=$(abspath $(BUILD_DIR))/stage-times.txt sh scripts/stage-clock.sh
POLYVM_FIXTURES ?= $(abspath $(CURDIR)/../shared/fixtures)
export POLYVM_FIXTURES

.PHONY: all deps build run test test-release configure-asan test-sanitize test-tsan fuzz clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@$(STAGE_CLOCK) start build
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@$(STAGE_CLOCK) end build

run: build
	@$(BUILD_DIR)/polyvm node $(NODE_ARGS)

test: build test-release test-sanitize test-tsan
	@$(STAGE_CLOCK) report

test-release:
	@$(STAGE_CLOCK) start test-release
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 1
	@$(STAGE_CLOCK) end test-release

# The sanitizer builds (Clang) compile at -O1 with line tables only (-g1), as OSS-Fuzz does: half
# the compile time of -O2 -g (the builds dominate CI's time); reports still name file and line,
# and assert() stays on.
SANITIZER_BUILD_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DPOLYVM_BENCH=OFF -DPOLYVM_JEMALLOC=OFF -DPOLYVM_UNOPTIMIZED_TESTS=ON
# Seconds each fuzz target explores in `make test` (the whole step stays near two minutes).
FUZZ_BRIEF_SECONDS ?= 10

# The AddressSanitizer + UndefinedBehaviorSanitizer build, with libFuzzer's instrumentation: the
# same binaries run the unit tests, replay the fuzz corpora and fuzz (fuzz/run-long.sh uses it).
configure-asan: deps
	@CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) -G Ninja $(SANITIZER_BUILD_FLAGS) -DPOLYVM_SANITIZE=ON -DPOLYVM_LIBFUZZER=ON >/dev/null

# AddressSanitizer + UndefinedBehaviorSanitizer: the unit tests (the fuzz targets' corpora
# included), every fuzz target for FUZZ_BRIEF_SECONDS, a sample of the Cancun state tests (the
# slow-by-design folders are left out, see tests/state/run_sanitizer_sample.sh), every Prague
# and Osaka state test, the blockchain tests (all in memory, Prague's on LMDB, and on LMDB with 3
# threads for the executor and for every trie of two changed keys or more)
# and the bad-input checks of `polyvm import`.
test-sanitize: configure-asan
	@$(STAGE_CLOCK) start asan-build
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@$(STAGE_CLOCK) end asan-build
	@$(STAGE_CLOCK) start asan-tests
	@cd $(ASAN_DIR) && ctest --output-on-failure -j 1 -L unit
	@FUZZ_BRIEF=1 FUZZ_BUILD_DIR=$(ASAN_DIR) JOBS=$(JOBS) fuzz/run-long.sh $(FUZZ_BRIEF_SECONDS)
	@tests/state/run_sanitizer_sample.sh $(ASAN_DIR)/polyvm
	@for fork in prague osaka; do ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  sh tests/state/run_statetests.sh $(ASAN_DIR)/polyvm $(POLYVM_FIXTURES)/state/$$fork --jobs $(JOBS) --min-cases 950 || exit 1; done
	@sh tests/run_fixture_suite.sh $(ASAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain --jobs $(JOBS) --min-cases 4400 --known-failures tests/blockchain/known_failures.txt
	@sh tests/run_fixture_suite.sh $(ASAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain/prague --jobs $(JOBS) --db lmdb --min-cases 1500
	@POLYVM_TRIE_PARALLEL_MINIMUM=2 sh tests/run_fixture_suite.sh $(ASAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain/prague --jobs $(JOBS) --threads 3 --db lmdb --min-cases 1500
	@sh tests/blockchain/import_bad_input_test.sh $(ASAN_DIR)/polyvm
	@$(STAGE_CLOCK) end asan-tests

# ThreadSanitizer, built with Clang (GCC 12's TSan binaries crash at start on this kernel): the
# code that runs threads — the database (readers during commits), the JSON-RPC server, the node,
# the parallel block executor — through their unit tests (test_parallel: generated blocks under
# random scheduling delays), the Cancun blockchain tests on 4 threads on LMDB (tries of two changed
# keys or more on forks too), and the node's own suites against a TSan-built polyvm (the
# end-to-end suite on LMDB and with the pipelined miner: the plain in-memory node runs no thread
# the other two do not). Reports go to files; any report fails the target.
TSAN_FLAGS = -fsanitize=thread
test-tsan: deps
	@$(STAGE_CLOCK) start tsan-build
	@CC=clang CXX=clang++ cmake -S . -B $(TSAN_DIR) -G Ninja $(SANITIZER_BUILD_FLAGS) \
	  -DCMAKE_C_FLAGS="$(TSAN_FLAGS)" -DCMAKE_CXX_FLAGS="$(TSAN_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$(TSAN_FLAGS)" >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target polyvm test_db test_rpc test_node test_parallel wasm_contracts
	@$(STAGE_CLOCK) end tsan-build
	@$(STAGE_CLOCK) start tsan-tests
	@rm -rf $(TSAN_DIR)/tsan-reports && mkdir -p $(TSAN_DIR)/tsan-reports
	@export TSAN_OPTIONS="log_path=$(abspath $(TSAN_DIR))/tsan-reports/report"; \
	  $(TSAN_DIR)/tests/test_db --gtest_brief=1 && $(TSAN_DIR)/tests/test_rpc --gtest_brief=1 && \
	  $(TSAN_DIR)/tests/test_node --gtest_brief=1 && $(TSAN_DIR)/tests/test_parallel --gtest_brief=1 && \
	  POLYVM_TRIE_PARALLEL_MINIMUM=2 sh tests/run_fixture_suite.sh $(TSAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain/cancun --jobs 1 --threads 4 --db lmdb && \
	  python3 tests/node/hostile_requests_test.py $(TSAN_DIR)/polyvm && \
	  python3 tests/node/cli_test.py $(TSAN_DIR)/polyvm && \
	  POLYVM_E2E_MODES="lmdb pipelined" sh tests/node/run.sh $(TSAN_DIR)/polyvm
	@if ls $(TSAN_DIR)/tsan-reports/report* >/dev/null 2>&1; then cat $(TSAN_DIR)/tsan-reports/report*; \
	  echo "ThreadSanitizer: reports above"; exit 1; fi; echo "ThreadSanitizer: no reports"
	@$(STAGE_CLOCK) end tsan-tests

# libFuzzer on every fuzz target for FUZZ_SECONDS each (fuzz/README.md), in the sanitizer build.
FUZZ_SECONDS ?= 60
fuzz: configure-asan
	@FUZZ_BUILD_DIR=$(ASAN_DIR) JOBS=$(JOBS) fuzz/run-long.sh $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) build-fuzz
