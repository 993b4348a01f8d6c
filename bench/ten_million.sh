#!/usr/bin/env bash
# The 10^7-region streamed walk of BENCHMARKS.md ("Memory"): `random --dims 2,4473,1 --seed 1`
# over the whole plane has, in general position, 1 + 4473 + C(4473, 2) = 10,006,102 regions
# (C(4472, 2) = 9,997,156 bounded) and 4473^2 = 20,007,729 edges (Zaslavsky).
#
#   bench/ten_million.sh [DIMS]     # DIMS defaults to 2,4473,1; e.g. 2,1415,1 for 10^6
#
# The JSONL (5.9 KB a region here, 59 GB in all: more than this machine's free disk)
# goes through a pipe to `wc -c`; wall time and peak memory by GNU time, the summary on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
dims=${1:-2,4473,1}
cargo build --release --quiet
lr=target/release/linregions
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$lr" random --dims "$dims" --seed 1 -o "$dir/net.json"
/usr/bin/time -f "wall %e s, max RSS %M KB" "$lr" enumerate "$dir/net.json" --unbounded --jsonl - 2> "$dir/err" | wc -c > "$dir/bytes"
cat "$dir/err"
echo "JSONL bytes $(cat "$dir/bytes")"
