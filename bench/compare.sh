#!/usr/bin/env bash
# Side-by-side speed of linregions, relucent and regioncam on the same seeded networks.
#
#   bench/compare.sh [--quick | --high]
#
# Networks: `linregions random` (weights N(0,1/fan_in), biases N(0,0.25), f32-exact), seed 1.
# Whole space (vs relucent): 2-16-16-1, 3-8-8-1, 4-8-8-1, 2-32-32-1, `linregions enumerate`.
# Box [-10,10]^2 (vs regioncam): 2-64-64-1, 2-128-128-1, 2-64-64-64-64-1, both
# `linregions enumerate` (every region analysed: inspheres, logits...) and `linregions
# partition` (the exact polygons only, as regioncam computes them).
#
# linregions is timed end to end, as a user runs it: the whole process, its JSON document
# written to a file (`--json`), wall clock around the command ("linregions s"); its own
# "time" line (the computation, no output) is printed beside it. relucent and regioncam are
# timed by their runners inside Python (the computation, no process start, no output), as
# their users' benchmarks do. The ratio compares regions/s end to end for linregions with
# regions/s of the other tool's computation. For regioncam the last column also times its
# whole process end to end with its result written to a file (`regioncam_run.py --write`:
# Python's start, the imports, the network read, one mesh, the vertices and faces saved),
# the median of 3, and the ratio of linregions' end-to-end time to it. `enumerate` and relucent: the median of 3 runs
# (single runs of either vary by 10-30% on a 2-core VM); `partition` and regioncam: the best
# of 5.
# relucent and regioncam run when `$PYTHON -c 'import relucent'` (resp. regioncam) works:
#   python3 -m venv .venv && .venv/bin/pip install relucent regioncam && PYTHON=.venv/bin/python bench/compare.sh
# `--high` runs the whole-space nets of five to eight inputs instead (5-8-8-1, 6-8-8-1,
# 8-10-10-1), one run of each tool (relucent takes minutes to tens of minutes there);
# `WHOLE="5,8,8,1 6,8,8,1"` runs only the whole-space nets listed.
# Region counts are compared; a difference is printed as MISMATCH.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
quick=${1:-}
cargo build --release --quiet
lr=target/release/linregions
dir=$(mktemp -d)
has() { "$PYTHON" -c "import $1" >/dev/null 2>&1; }

ours() { # command net domain-args... -> "regions end-to-end-seconds own-seconds"
  # (enumerate: median of 3 runs; partition: best of 5; by the end-to-end time)
  local cmd=$1 net=$2; shift 2
  local n=3 pick=2; [ "$cmd" = partition ] && n=5 pick=1; [ "$quick" = --high ] && n=1 pick=1
  for _ in $(seq $n); do
    local s e
    s=$(date +%s.%N)
    "$lr" "$cmd" "$net" "$@" --json "$dir/out.json" > "$dir/out.txt"
    e=$(date +%s.%N)
    awk -v s="$s" -v e="$e" '/^regions/ {r=$2} /^time/ {t=$2} END {printf "%s %.4f %s\n", r, e - s, t}' "$dir/out.txt"
  done | sort -k2 -g | sed -n "${pick}p"
}
median3() { # command... -> the JSON line with the median "seconds" of three runs (one with --high)
  local runs=3; [ "$quick" = --high ] && runs=1
  for _ in $(seq $runs); do "$@"; done |
    "$PYTHON" -c "import json,sys; r=sorted((json.loads(l) for l in sys.stdin), key=lambda d: d['seconds']); print(json.dumps(r[len(r) // 2]))"
}
field() { "$PYTHON" -c "import json,sys; d=json.loads(sys.argv[1]); print(d['regions'], d['seconds'])" "$1"; }

printf "| network | domain | linregions command | regions | linregions s (end to end, JSON written) | linregions own time s | linregions regions/s | other tool | other regions | other s | other regions/s | ratio | other process s (result written); ratio |\n"
printf "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
row() { # net label domain-label tool command our-args...
  local net=$1 label=$2 dlabel=$3 tool=$4 cmd=$5; shift 5
  read -r r t own < <(ours "$cmd" "$net" "$@")
  local rps; rps=$(awk -v r="$r" -v t="$t" 'BEGIN {printf "%.0f", r / t}')
  local other="-" orr="-" ot="-" orps="-" ratio="-" e2e="-"
  if [ "$tool" = relucent ] && has relucent; then
    read -r orr ot < <(field "$(median3 "$PYTHON" bench/relucent_run.py "$net")"); other=relucent
  elif [ "$tool" = regioncam ] && has regioncam; then
    read -r orr ot < <(field "$("$PYTHON" bench/regioncam_run.py "$net" 10)"); other=regioncam
    local pt; pt=$(for _ in 1 2 3; do
      s=$(date +%s.%N); "$PYTHON" bench/regioncam_run.py "$net" 10 --write "$dir/rc.json" > /dev/null; e=$(date +%s.%N)
      awk -v s="$s" -v e="$e" 'BEGIN {printf "%.4f\n", e - s}'
    done | sort -g | sed -n 2p)
    e2e=$(awk -v p="$pt" -v t="$t" 'BEGIN {printf "%.3f; %.2fx", p, p / t}')
  fi
  if [ "$other" != "-" ]; then
    orps=$(awk -v r="$orr" -v t="$ot" 'BEGIN {printf "%.0f", r / t}')
    ratio=$(awk -v a="$rps" -v b="$orps" 'BEGIN {printf "%.2fx", a / b}')
    [ "$orr" = "$r" ] || orr="$orr MISMATCH"
  fi
  printf "| %s | %s | %s | %s | %.3f | %.3f | %s | %s | %s | %s | %s | %s | %s |\n" "$label" "$dlabel" "$cmd" "$r" "$t" "$own" "$rps" "$other" "$orr" \
    "$( [ "$ot" = "-" ] && echo - || printf "%.3f" "$ot")" "$orps" "$ratio" "$e2e"
}

whole=(2,16,16,1 3,8,8,1 4,8,8,1 2,32,32,1)
boxes=(2,64,64,1 2,128,128,1 2,64,64,64,64,1)
if [ "$quick" = --quick ]; then whole=(2,16,16,1 3,8,8,1); boxes=(2,64,64,1); fi
if [ "$quick" = --high ]; then whole=(5,8,8,1 6,8,8,1 8,10,10,1); boxes=(); fi
if [ -n "${WHOLE:-}" ]; then read -r -a whole <<< "$WHOLE"; fi
for dims in "${whole[@]}"; do
  net="$dir/net-${dims//,/-}.json"; "$lr" random --dims "$dims" --seed 1 -o "$net"
  row "$net" "${dims//,/-}" "R^d" relucent enumerate --unbounded
done
for dims in "${boxes[@]+"${boxes[@]}"}"; do
  net="$dir/net-${dims//,/-}.json"; "$lr" random --dims "$dims" --seed 1 -o "$net"
  row "$net" "${dims//,/-}" "[-10,10]^2" regioncam enumerate --box=-10:10
  row "$net" "${dims//,/-}" "[-10,10]^2" regioncam partition --box=-10:10
done
rm -rf "$dir"
