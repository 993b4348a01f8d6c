#!/usr/bin/env bash
# `stats --points` (the study's properties of the region at each point, no enumeration, one
# thread) on random d-k-k-10 networks in [0,1]^d, 20 points:
#   bench/local_stats.sh BINARY [TIMEOUT_S] [DIMS...]
# Prints one line per network: dimensions, seconds (or "> TIMEOUT"), distinct regions.
set -uo pipefail
bin=$1 limit=${2:-600}
shift $(( $# >= 2 ? 2 : $# ))
dims_list=${*:-16,16,16,10 32,16,16,10 64,32,32,10 128,64,64,10}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for dims in $dims_list; do
  d=${dims%%,*}
  "$bin" random --dims "$dims" --seed 1 -o "$dir/net.json" >/dev/null
  python3 -c "
import random; random.seed(3)
for _ in range(20): print(','.join(str(round(random.random(), 3)) for _ in range($d)))" > "$dir/pts.csv"
  s=$(date +%s.%N)
  timeout "$limit" "$bin" stats "$dir/net.json" --box=0:1 --points "$dir/pts.csv" --threads 1 --json "$dir/out.json" > /dev/null 2>&1
  rc=$?
  e=$(date +%s.%N)
  if [ $rc -eq 124 ]; then t="> $limit"; else t=$(printf '%.2f' "$(echo "$e - $s" | bc)"); fi
  n=$(python3 -c "import json; print(len(json.load(open('$dir/out.json'))['regions']))" 2>/dev/null || echo "?")
  echo "$dims $t $n"
done
