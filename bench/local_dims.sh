#!/usr/bin/env bash
# The region at one point (`inspect`, one thread) of random d-k-k-10 networks in [0,1]^d:
#   bench/local_dims.sh BINARY [TIMEOUT_S]
# Prints one line per network: dimensions, seconds (or "> TIMEOUT"), facets found.
set -uo pipefail
bin=$1 limit=${2:-120}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for dims in 8,8,8,3 12,12,12,4 16,16,16,10 32,16,16,10 48,16,16,10 64,32,32,10 128,64,64,10 256,64,64,10 784,64,64,10 784,256,256,10; do
  d=${dims%%,*}
  "$bin" random --dims "$dims" --seed 1 -o "$dir/net.json" >/dev/null
  pt=$(python3 -c "import random; random.seed(3); print(','.join(str(round(random.random(), 3)) for _ in range($d)))")
  s=$(date +%s.%N)
  timeout "$limit" "$bin" inspect "$dir/net.json" --box=0:1 --point "$pt" --threads 1 > "$dir/out.txt" 2>&1
  rc=$?
  e=$(date +%s.%N)
  if [ $rc -eq 124 ]; then t="> $limit"; else t=$(printf '%.2f' "$(echo "$e - $s" | bc)"); fi
  echo "$dims $t $(grep -c '^  (' "$dir/out.txt")"
done
