#!/bin/sh
# polyvm's interpreter side by side with evmone's baseline interpreter (issue 10): interleaved
# rounds of `polyvm bench` and `evmone-bench` on the same cases, per-case ratios, the geomean and
# the load average. Options: see bench/side_by_side.py (--rounds 5, --folder main, --markdown...).
exec python3 "$(dirname "$0")/side_by_side.py" "$@"
