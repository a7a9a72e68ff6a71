#!/bin/sh
# polyvm opens OpenSSL's libcrypto at its first use (src/crypto/openssl_library.hpp): a state
# test that never hashes with SHA-256 must run without it, one that calls the SHA-256
# precompile must open it and still pass. glibc's loader names every library it opens when
# LD_DEBUG=files. Usage: libcrypto_on_demand_test.sh POLYVM FIXTURES_DIR
set -u
polyvm=$1
fixtures=$2
without=$fixtures/state/cancun/stExample/add11.json
with=$fixtures/state/cancun/stPreCompiledContracts2/CallSha256_0.json
for f in "$without" "$with"; do
    if [ ! -f "$f" ]; then
        if [ "${CI:-}" = true ]; then echo "FAIL: fixture $f is missing"; exit 1; fi
        echo "SKIP: fixture $f is missing (set POLYVM_FIXTURES)"; exit 0
    fi
done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
check() {  # fixture, expected number of libcrypto openings (0 or 1), what
    LD_DEBUG=files "$polyvm" statetest --jobs 1 "$1" > "$log" 2>&1
    rc=$?
    opened=$(grep -c 'file=libcrypto\.so.*dynamically loaded' "$log")
    if [ $rc -ne 0 ] || ! grep -q '^1 passed, 0 failed' "$log"; then
        echo "FAIL: $3: statetest exited $rc"; grep -v '^ *[0-9]*:' "$log" | tail -5; status=1
    elif grep -q 'file=libcrypto\.so.*needed by' "$log"; then
        echo "FAIL: $3: libcrypto is linked as a needed library"; status=1
    elif [ "$opened" -ne "$2" ]; then
        echo "FAIL: $3: libcrypto opened $opened times, expected $2"; status=1
    else
        echo "ok: $3 (libcrypto opened $opened times)"
    fi
}
check "$without" 0 "a state test without SHA-256"
check "$with" 1 "a state test calling the SHA-256 precompile"
exit $status
