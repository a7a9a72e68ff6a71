#!/usr/bin/env bash
# Runs a sample of the Cancun state tests under the sanitizer build of polyvm. The folders that
# are slow by design (stTimeConsuming, stQuadraticComplexityTest, stMemoryStressTest,
# VMTests/vmPerformance: 8 loops, 180 s alone under ASan, against 15 s for the whole sample
# without them) and the heaviest generated suites are left out so the run stays short.
set -euo pipefail
polyvm="$1"
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="${POLYVM_FIXTURES:-$here/../../../shared/fixtures}"
folder="$fixtures/state/cancun"
if [ ! -d "$folder" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "sanitizer sample: fixture folder missing: $folder" >&2
    exit 1
  fi
  echo "NOTICE: sanitizer sample skipped, fixture folder missing (set POLYVM_FIXTURES): $folder"
  exit 0
fi
sample='^(stExample|stArgsZeroOneBalance|stCallCodes|stCreate2|stCreateTest|stSStoreTest|stRefundTest|stReturnDataTest|stRevertTest|stSelfBalance|stShift|stEIP1559|stEIP2930|stEIP3607|stChainId|stCodeCopyTest|stExtCodeHash|stLogTests|stMemoryTest|stStaticCall|stTransactionTest|stPreCompiledContracts|Cancun|Shanghai|VMTests/vm(Tests|ArithmeticTest|BitwiseLogicOperation|IOandFlowOperations|LogTest))/'
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "sanitizer sample: $sample"
exec "$polyvm" statetest --jobs 2 --filter "$sample" --known-failures "$here/known_failures_cancun.txt" "$folder"
