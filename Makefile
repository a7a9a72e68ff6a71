# The two commands of the README:
#   make run   installs missing Debian packages, builds Release, starts the development node
#              (polyvm node: JSON-RPC on 127.0.0.1:8545, chain in .polyvm/dev; NODE_ARGS adds options)
#   make test  the same, then every test suite (unit, state tests, sanitizer build)
BUILD_DIR ?= build
ASAN_DIR  ?= build-asan
JOBS      ?= $(shell nproc)
POLYVM_FIXTURES ?= $(abspath $(CURDIR)/../shared/fixtures)
export POLYVM_FIXTURES

.PHONY: all deps build run test test-release test-sanitize clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@$(BUILD_DIR)/polyvm node $(NODE_ARGS)

test: build test-release test-sanitize

test-release:
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 1

# AddressSanitizer + UndefinedBehaviorSanitizer: the unit tests, a sample of the state tests
# (the slow-by-design folders are left out, see tests/state/sanitizer_sample.txt), the blockchain
# tests (all in memory, Prague's on LMDB) and the bad-input checks of `polyvm import`.
test-sanitize: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLYVM_SANITIZE=ON -DPOLYVM_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ctest --output-on-failure -j 1 -L unit
	@tests/state/run_sanitizer_sample.sh $(ASAN_DIR)/polyvm
	@sh tests/run_fixture_suite.sh $(ASAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain --jobs $(JOBS) --min-cases 4400 --known-failures tests/blockchain/known_failures.txt
	@sh tests/run_fixture_suite.sh $(ASAN_DIR)/polyvm blocktest $(POLYVM_FIXTURES)/blockchain/prague --jobs $(JOBS) --db lmdb --min-cases 1500
	@sh tests/blockchain/import_bad_input_test.sh $(ASAN_DIR)/polyvm

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
