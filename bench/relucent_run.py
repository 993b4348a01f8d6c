#!/usr/bin/env python3
"""Run relucent's BFS on a linregions network file (whole input space) and print
{"tool": "relucent", "regions": n, "seconds": t} as JSON. Weights are read as float64.
Usage: python3 bench/relucent_run.py NET.json"""
import json
import sys
import time
from fractions import Fraction

import numpy as np
import relucent

spec = json.load(open(sys.argv[1]))
pairs, pending = [], None
for layer in spec["layers"]:
    if layer["type"] in ("dense", "linear"):
        w = np.array([[float(Fraction(str(v))) for v in row] for row in layer["weight"]])
        b = np.array([float(Fraction(str(v))) for v in layer["bias"]])
        pairs.append((w, b))
    elif layer["type"] != "relu":
        sys.exit("relucent: ReLU networks only")
net = relucent.convert(pairs)
cplx = relucent.Complex(net)
t0 = time.perf_counter()
# A generic start point (relucent refuses one on a hyperplane, e.g. the origin).
cplx.bfs(start=np.random.default_rng(0).normal(size=spec["input_dim"]) * 0.1, verbose=0)
dt = time.perf_counter() - t0
print(json.dumps({"tool": "relucent", "regions": len(cplx), "seconds": dt}))
