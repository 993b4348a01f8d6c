#!/usr/bin/env bash
# Side-by-side speed of linregions, relucent and regioncam on the same seeded networks.
#
#   bench/compare.sh [--quick]
#
# Networks: `linregions random` (weights N(0,1/fan_in), biases N(0,0.25), f32-exact), seed 1.
# Whole space (vs relucent): 2-16-16-1, 3-8-8-1, 4-8-8-1, 2-32-32-1.
# Box [-10,10]^2 (vs regioncam): 2-64-64-1, 2-128-128-1, 2-64-64-64-64-1.
# relucent and regioncam run when `$PYTHON -c 'import relucent'` (resp. regioncam) works:
#   python3 -m venv .venv && .venv/bin/pip install relucent regioncam && PYTHON=.venv/bin/python bench/compare.sh
# Region counts are compared; a difference is printed as MISMATCH.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
quick=${1:-}
cargo build --release --quiet
lr=target/release/linregions
dir=$(mktemp -d)
has() { "$PYTHON" -c "import $1" >/dev/null 2>&1; }

ours() { # net domain-args... -> "regions seconds"
  local net=$1; shift
  "$lr" enumerate "$net" "$@" | awk '/^regions/ {r=$2} /^time/ {t=$2} END {print r, t}'
}
field() { "$PYTHON" -c "import json,sys; d=json.loads(sys.argv[1]); print(d['regions'], d['seconds'])" "$1"; }

printf "| network | domain | regions | linregions s | linregions regions/s | other tool | other regions | other s | other regions/s | ratio |\n"
printf "|---|---|---|---|---|---|---|---|---|---|\n"
row() { # net label domain-label tool tool-args... -- our-args...
  local net=$1 label=$2 dlabel=$3 tool=$4; shift 4
  read -r r t < <(ours "$net" "$@")
  local rps; rps=$(awk -v r="$r" -v t="$t" 'BEGIN {printf "%.0f", r / t}')
  local other="-" orr="-" ot="-" orps="-" ratio="-"
  if [ "$tool" = relucent ] && has relucent; then
    read -r orr ot < <(field "$("$PYTHON" bench/relucent_run.py "$net")"); other=relucent
  elif [ "$tool" = regioncam ] && has regioncam; then
    read -r orr ot < <(field "$("$PYTHON" bench/regioncam_run.py "$net" 10)"); other=regioncam
  fi
  if [ "$other" != "-" ]; then
    orps=$(awk -v r="$orr" -v t="$ot" 'BEGIN {printf "%.0f", r / t}')
    ratio=$(awk -v a="$rps" -v b="$orps" 'BEGIN {printf "%.2fx", a / b}')
    [ "$orr" = "$r" ] || orr="$orr MISMATCH"
  fi
  printf "| %s | %s | %s | %.3f | %s | %s | %s | %s | %s | %s |\n" "$label" "$dlabel" "$r" "$t" "$rps" "$other" "$orr" \
    "$( [ "$ot" = "-" ] && echo - || printf "%.3f" "$ot")" "$orps" "$ratio"
}

whole=(2,16,16,1 3,8,8,1 4,8,8,1 2,32,32,1)
boxes=(2,64,64,1 2,128,128,1 2,64,64,64,64,1)
if [ "$quick" = --quick ]; then whole=(2,16,16,1 3,8,8,1); boxes=(2,64,64,1); fi
for dims in "${whole[@]}"; do
  net="$dir/net-${dims//,/-}.json"; "$lr" random --dims "$dims" --seed 1 -o "$net"
  row "$net" "${dims//,/-}" "R^d" relucent --unbounded
done
for dims in "${boxes[@]}"; do
  net="$dir/net-${dims//,/-}.json"; "$lr" random --dims "$dims" --seed 1 -o "$net"
  row "$net" "${dims//,/-}" "[-10,10]^2" regioncam --box=-10:10
done
rm -rf "$dir"
