#!/usr/bin/env bash
# Reproduce the plain / batch-norm / dropout comparison of Zhang & Wu (ICLR 2020) on a toy
# task, exactly: train three 2-16-16-1 ReLU MLPs with the same architecture, data and seed,
# enumerate their linear regions in the data box, and print the side-by-side tables of the
# region properties (all regions, then the regions around the training points).
#
# Usage: examples/paper_study.sh [DATASET] [SEED] [OUTDIR]     (defaults: moons 1 study-out)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-moons}
seed=${2:-1}
out=${3:-study-out}
mkdir -p "$out"
cargo build --release --quiet
lr=target/release/linregions
common=(--data "$data" --samples 400 --hidden 16,16 --epochs 300 --lr 0.01 --seed "$seed")

echo "## Training ($data, seed $seed, 2-16-16-1, Adam lr 0.01, 300 epochs, batch 32)"
echo
$lr train "${common[@]}"                 -o "$out/plain.json"   --data-out "$out/$data.csv" | sed 's/^/    plain:   /'
$lr train "${common[@]}" --bn            -o "$out/bn.json"      | sed 's/^/    bn:      /'
$lr train "${common[@]}" --dropout 0.2   -o "$out/dropout.json" | sed 's/^/    dropout: /'
echo

# The data box, padded: the domain of the enumeration.
box=$(awk -F, 'NR > 1 { if (min1 == "" || $1 < min1) min1 = $1; if (max1 == "" || $1 > max1) max1 = $1;
                        if (min2 == "" || $2 < min2) min2 = $2; if (max2 == "" || $2 > max2) max2 = $2 }
               END { printf "%.2f:%.2f,%.2f:%.2f", min1 - 0.25, max1 + 0.25, min2 - 0.25, max2 + 0.25 }' "$out/$data.csv")

echo "## All regions in the data box"
echo
$lr stats "$out/plain.json" "$out/bn.json" "$out/dropout.json" --names plain,bn,dropout --box="$box"
echo
echo "## Regions containing training points"
echo
$lr stats "$out/plain.json" "$out/bn.json" "$out/dropout.json" --names plain,bn,dropout --box="$box" \
  --points "$out/$data.csv"
for v in plain bn dropout; do
  $lr stats "$out/$v.json" --box="$box" --csv "$out/$v.regions.csv" --json "$out/$v.stats.json" >/dev/null
done
echo
echo "Per-region tables: $out/{plain,bn,dropout}.regions.csv and .stats.json"
