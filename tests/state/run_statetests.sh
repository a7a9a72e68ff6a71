#!/bin/sh
# Runs `polyvm statetest` over a fixture folder for CTest.
# usage: run_statetests.sh <polyvm> <fixture-folder> [statetest options...]
# The fixtures live outside the repository (../shared/fixtures or $POLYVM_FIXTURES). Where they are
# missing, CI (CI=true) must fail loudly rather than pass vacuously; a developer's machine without
# them gets a notice and a pass, so `ctest` stays usable there. A folder that is present but has
# lost files is caught by polyvm itself: CTest passes --min-cases (see tests/CMakeLists.txt).
set -u
if [ "$#" -lt 2 ]; then
    echo "usage: $0 <polyvm> <fixture-folder> [statetest options...]" >&2
    exit 2
fi
polyvm=$1
fixtures=$2
shift 2
if [ ! -d "$fixtures" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "error: state-test fixture folder missing: $fixtures (CI=true: this is a failure; set POLYVM_FIXTURES)" >&2
        exit 1
    fi
    echo "NOTICE: state-test fixture folder missing: $fixtures -- state tests NOT run (set POLYVM_FIXTURES to run them)"
    exit 0
fi
exec "$polyvm" statetest "$@" "$fixtures"
