#!/usr/bin/env python3
"""A seeded 2-6-4-1 ReLU network with every weight and bias m·10^(±E) (m in ±{1,2,3,5,7}):
integers far past the f64 range once E > 308, sliver regions whose facet points need
thousands of bits. Used for the huge-exponent rows of BENCHMARKS.md.

    python3 bench/huge_weights.py E [SEED] > net.json
    target/release/linregions enumerate net.json --unbounded --threads 1
"""
import json
import random
import sys

e = int(sys.argv[1])
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)


def num():
    m = random.choice([1, 2, 3, 5, 7, -1, -2, -3, -5, -7])
    return "%de%d" % (m, random.choice([1, -1]) * e)


dims = [2, 6, 4, 1]
layers = []
for i in range(3):
    layers.append({"type": "dense",
                   "weight": [[num() for _ in range(dims[i])] for _ in range(dims[i + 1])],
                   "bias": [num() for _ in range(dims[i + 1])]})
    if i < 2:
        layers.append({"type": "relu"})
print(json.dumps({"input_dim": 2, "layers": layers}))
