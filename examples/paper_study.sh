#!/usr/bin/env bash
# Reproduce the plain / batch-norm / dropout comparison of Zhang & Wu (ICLR 2020) exactly:
# train the three variants with several seeds (same data, architecture, optimiser), then
# print the side-by-side tables of `linregions stats` (mean ± sd across seeds).
#
#   examples/paper_study.sh [TASK] [SEEDS] [OUTDIR]
#
# TASK: a 2D data set (moons, circles, xor, spirals, blobs; default moons): 2-16-16 MLPs,
#       every region of the padded data box enumerated, then the regions around the
#       training points;
#       digits: the UCI optical digits (8x8 = 64 inputs, 10 classes), 64-32-32-10 MLPs, the
#       region around every held-out test point analysed directly in [0,1]^64;
#       digits784: the digits upsampled to 28x28 (784 inputs, MNIST-sized), 784-64-64-10,
#       the regions around the first $POINTS test points (default 20).
# SEEDS: seeds 1..SEEDS per variant (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
task=${1:-moons}
seeds=${2:-5}
out=${3:-study-out/$task}
mkdir -p "$out"
cargo build --release --quiet
lr=target/release/linregions

names=()
nets=()
case $task in
  digits) arch=(--data digits --hidden 32,32 --epochs 30) ; shape="64-32-32-10, 30 epochs" ;;
  digits784) arch=(--data digits --upsample 28 --hidden 64,64 --epochs 20) ; shape="784-64-64-10, 20 epochs" ;;
  *) arch=(--data "$task" --data-seed 1 --samples 400 --hidden 16,16 --epochs 300) ; shape="2-16-16-1, 300 epochs" ;;
esac
echo "## Training ($task, seeds 1..$seeds, $shape, Adam lr 0.01, batch 32)"
echo
for v in plain bn dropout; do
  case $v in plain) extra=() ;; bn) extra=(--bn) ;; dropout) extra=(--dropout 0.2) ;; esac
  for s in $(seq 1 "$seeds"); do
    $lr train "${arch[@]}" "${extra[@]}" --seed "$s" -o "$out/$v-$s.json" \
      --data-out "$out/train.csv" --test-out "$out/test.csv" | sed "s/^/    $v seed $s: /"
    names+=("$v")
    nets+=("$out/$v-$s.json")
  done
done
echo
IFS=,; namelist="${names[*]}"; unset IFS

case $task in
  digits|digits784)
    points="$out/test.csv"
    if [ "$task" = digits784 ]; then
      head -n $((1 + ${POINTS:-20})) "$out/test.csv" > "$out/points.csv"
      points="$out/points.csv"
    fi
    echo "## Regions around the held-out test points ($(($(wc -l < "$points") - 1)) points, box [0,1]^d)"
    echo
    $lr stats "${nets[@]}" --names "$namelist" --box=0:1 --points "$points" --plots "$out/plots"
    echo
    echo "Histograms (per test point, seeds pooled): $out/plots/*.svg"
    ;;
  *)
    # The data box, padded: the domain of the enumeration.
    box=$(awk -F, 'NR > 1 { if (min1 == "" || $1 < min1) min1 = $1; if (max1 == "" || $1 > max1) max1 = $1;
                            if (min2 == "" || $2 < min2) min2 = $2; if (max2 == "" || $2 > max2) max2 = $2 }
                   END { printf "%.2f:%.2f,%.2f:%.2f", min1 - 0.25, max1 + 0.25, min2 - 0.25, max2 + 0.25 }' "$out/train.csv")
    echo "## All regions in the data box"
    echo
    $lr stats "${nets[@]}" --names "$namelist" --box="$box" --plots "$out/plots"
    echo
    echo "## Regions containing training points"
    echo
    $lr stats "${nets[@]}" --names "$namelist" --box="$box" --points "$out/train.csv"
    for v in plain bn dropout; do
      $lr stats "$out/$v-1.json" --box="$box" --csv "$out/$v-1.regions.csv" --json "$out/$v-1.stats.json" >/dev/null
      $lr render "$out/$v-1.json" --box="$box" --color class --points "$out/train.csv" -o "$out/plots/$v-1.svg"
    done
    echo
    echo "Per-region tables of seed 1: $out/{plain,bn,dropout}-1.regions.csv and .stats.json"
    echo "Histograms (per region, seeds pooled) and pictures of seed 1 with the data: $out/plots/"
    ;;
esac
