#!/bin/sh
# Runs a fixture suite through the command-line tool for CTest.
# usage: run_fixture_suite.sh <polyvm> <subcommand> <fixture-folder> [options...]
# The fixtures live outside the repository (../shared/fixtures or $POLYVM_FIXTURES). Where they are
# missing, CI (CI=true) must fail loudly rather than pass vacuously; a developer's machine without
# them gets a notice and a pass, so `ctest` stays usable there.
set -u
if [ "$#" -lt 3 ]; then
    echo "usage: $0 <polyvm> <subcommand> <fixture-folder> [options...]" >&2
    exit 2
fi
polyvm=$1
subcommand=$2
fixtures=$3
shift 3
if [ ! -d "$fixtures" ]; then
    if [ "${CI:-}" = "true" ]; then
        echo "error: fixture folder missing: $fixtures (CI=true: this is a failure; set POLYVM_FIXTURES)" >&2
        exit 1
    fi
    echo "NOTICE: fixture folder missing: $fixtures -- $subcommand NOT run (set POLYVM_FIXTURES to run it)"
    exit 0
fi
exec "$polyvm" "$subcommand" "$@" "$fixtures"
