#!/bin/sh
# The wall-clock time of make's stages, so that CI's log says where its hour went:
#   stage-clock.sh start NAME | end NAME (prints NAME's seconds) | report (every stage, then forgets them)
set -eu
log=${STAGE_CLOCK_LOG:-build/stage-times.txt}
mkdir -p "$(dirname "$log")"
case ${1:-} in
  start) echo "start $2 $(date +%s)" >> "$log" ;;
  end)
    now=$(date +%s)
    echo "end $2 $now" >> "$log"
    awk -v name="$2" -v now="$now" '$1 == "start" && $2 == name { began = $3 }
      END { if (began) printf "== stage %s: %d s\n", name, now - began }' "$log" ;;
  report)
    [ -f "$log" ] || exit 0
    awk '$1 == "start" { began[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
         $1 == "end" { took[$2] = $3 - began[$2]; total += $3 - began[$2] }
         END { print "== stages (wall-clock seconds):"
               for (i = 1; i <= n; ++i) printf "   %-14s %s\n", order[i], (order[i] in took) ? took[order[i]] : "unfinished"
               printf "   %-14s %d\n", "total", total }' "$log"
    rm -f "$log" ;;
  *) echo "usage: $0 start NAME | end NAME | report" >&2; exit 2 ;;
esac
