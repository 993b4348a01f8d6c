#!/usr/bin/env bash
# Byte-identity of the outputs of two builds on the fixtures and seeded random networks:
#
#   scripts/identity.sh OLD_BINARY NEW_BINARY
#
# Runs the same commands with both (enumerate --json in a box, on the whole space and by the
# walk; partition --json; inspect; stats) and `cmp`s every output. Prints one line per
# difference and a final count; exits 1 if any output differs. Used before and after a
# refactor or a speed lever that must not change results.
set -uo pipefail
old=$1 new=$2
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0 diff=0
run() { # name args...
  local name=$1; shift
  n=$((n + 1))
  "$old" "$@" > "$dir/a" 2>/dev/null; local ra=$?
  "$new" "$@" > "$dir/b" 2>/dev/null; local rb=$?
  if [ $ra -ne $rb ] || ! cmp -s "$dir/a" "$dir/b"; then
    echo "DIFFERS: $name (exit $ra vs $rb): $*"
    diff=$((diff + 1))
  fi
}
nets=()
for f in fixtures/*.json; do nets+=("$f"); done
for spec in 2,16,16,1 3,8,8,1 4,8,8,1 2,32,32,1 2,8,8,8,1 5,6,6,1; do
  f="$dir/net-$spec.json"; "$new" random --dims "$spec" --seed 1 -o "$f" >/dev/null; nets+=("$f")
done
for seed in 2 3 4 5 6; do
  f="$dir/net-2-12-12-1-s$seed.json"; "$new" random --dims 2,12,12,1 --seed $seed -o "$f" >/dev/null; nets+=("$f")
done
for f in "${nets[@]}"; do
  d=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['input_dim'])" "$f" 2>/dev/null || echo 0)
  [ "$d" = 0 ] && continue
  run "$f box" enumerate "$f" --json - -q
  run "$f whole" enumerate "$f" --unbounded --json - -q
  if [ "$d" = 2 ]; then
    run "$f walk" enumerate "$f" --box=-3:3 --walk --json - -q
    run "$f mesh" enumerate "$f" --box=-3:3 --json - -q
    run "$f partition" partition "$f" --box=-3:3 --json - -q
    run "$f volumes" enumerate "$f" --box=-2:2 --volumes --linear --json - -q
  fi
  pt=$(python3 -c "print(','.join(['1/3']*$d))")
  run "$f inspect" inspect "$f" --point "$pt"
  if [ "$d" -le 3 ]; then
    run "$f stats" stats "$f" --json -
    printf 'x\n%s\n' "$pt" > "$dir/pt.csv"
    run "$f stats points" stats "$f" --points "$dir/pt.csv" --json -
  fi
done
big="$dir/net-2-64-64-1.json"; "$new" random --dims 2,64,64,1 --seed 1 -o "$big" >/dev/null
run "2-64-64-1 box" enumerate "$big" --box=-10:10 --json - -q
run "2-64-64-1 partition" partition "$big" --box=-10:10 --json - -q
run "2-64-64-1 walk" enumerate "$big" --box=-10:10 --walk --json - -q
wide="$dir/net-2-256-1.json"; "$new" random --dims 2,256,1 --seed 1 -o "$wide" >/dev/null
run "2-256-1 whole" enumerate "$wide" --unbounded --json - -q
run "2-256-1 jsonl" enumerate "$wide" --unbounded --jsonl - -q
run "3-6-6-1 plane" enumerate fixtures/net-3-6-6-1.json --plane fixtures/plane3.csv --json - -q
run "leaky jsonl" enumerate fixtures/leaky.json --unbounded --jsonl - -q
echo "identity: $n runs, $diff differ"
[ $diff -eq 0 ]
