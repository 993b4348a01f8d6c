#!/usr/bin/env python3
"""Seeded networks with huge numbers, for the huge-weights rows of BENCHMARKS.md.

    python3 bench/huge_weights.py E [SEED] > net.json
        2-6-4-1 with every weight and bias m·10^(±E) (m in ±{1,2,3,5,7}): integers far past
        the f64 range once E > 308, sliver regions whose facet points need thousands of bits.
    python3 bench/huge_weights.py digits N [SEED] > net.json
        2-8-8-1 with every weight and bias a random integer of N decimal digits.

    target/release/linregions enumerate net.json --unbounded --threads 1
"""
import json
import random
import sys

if sys.argv[1] == "digits":
    n = int(sys.argv[2])
    random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    dims = [2, 8, 8, 1]

    def num():
        return str(random.choice([-1, 1]) * random.randrange(10 ** (n - 1), 10 ** n))
else:
    e = int(sys.argv[1])
    random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    dims = [2, 6, 4, 1]

    def num():
        m = random.choice([1, 2, 3, 5, 7, -1, -2, -3, -5, -7])
        return "%de%d" % (m, random.choice([1, -1]) * e)

layers = []
for i in range(3):
    layers.append({"type": "dense",
                   "weight": [[num() for _ in range(dims[i])] for _ in range(dims[i + 1])],
                   "bias": [num() for _ in range(dims[i + 1])]})
    if i < 2:
        layers.append({"type": "relu"})
print(json.dumps({"input_dim": 2, "layers": layers}))
