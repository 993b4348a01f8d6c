#!/usr/bin/env python3
"""Run regioncam (f32, 2D) on a linregions network file in the box [-S,S]^2 and print
{"tool": "regioncam", "regions": faces, "seconds": t} as JSON.
Usage: python3 bench/regioncam_run.py NET.json S"""
import json
import sys
import time
from fractions import Fraction

import numpy as np
import regioncam

spec = json.load(open(sys.argv[1]))
size = float(sys.argv[2])
assert spec["input_dim"] == 2, "regioncam: 2D inputs only"
layers = []
for layer in spec["layers"]:
    if layer["type"] in ("dense", "linear"):
        w = np.array([[float(Fraction(str(v))) for v in row] for row in layer["weight"]], dtype=np.float32)
        b = np.array([float(Fraction(str(v))) for v in layer["bias"]], dtype=np.float32)
        layers.append(("linear", w.T.copy(), b))  # regioncam: x @ weight + bias
    elif layer["type"] == "relu":
        layers.append(("relu",))
    else:
        sys.exit("regioncam runner: ReLU networks only")
best = None
for _ in range(5):
    t0 = time.perf_counter()
    rc = regioncam.Regioncam(size=size)
    for l in layers:
        if l[0] == "linear":
            rc.linear(l[1], l[2])
        else:
            rc.relu()
    dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt)
print(json.dumps({"tool": "regioncam", "regions": rc.num_faces, "seconds": best}))
