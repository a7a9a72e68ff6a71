#!/bin/sh
# Runs `polyvm statetest` over a fixture folder for CTest (see tests/run_fixture_suite.sh).
# usage: run_statetests.sh <polyvm> <fixture-folder> [statetest options...]
if [ "$#" -lt 2 ]; then
    echo "usage: $0 <polyvm> <fixture-folder> [statetest options...]" >&2
    exit 2
fi
polyvm=$1
shift
exec sh "$(dirname "$0")/../run_fixture_suite.sh" "$polyvm" statetest "$@"
