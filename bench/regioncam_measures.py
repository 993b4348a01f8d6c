#!/usr/bin/env python3
"""regioncam's faces plus the measure every `linregions enumerate` region carries that
regioncam does not compute: each face's Euclidean inradius (Chebyshev ball), by scipy's
HiGHS `linprog` on the face's sides, in floats, as a regioncam user would add it. Prints
{"tool": "regioncam+chebyshev", "regions": faces, "seconds": t, "mesh_seconds": m} as JSON
(one run; the time is the mesh plus the LPs, inside Python).
Usage: python3 bench/regioncam_measures.py NET.json S [--radii]   (the box [-S,S]^2; with
--radii the sorted radii instead, to compare with the certified ones of `enumerate`)"""
import json
import sys
import time
from fractions import Fraction

import numpy as np
import regioncam
from scipy.optimize import linprog

spec = json.load(open(sys.argv[1]))
size = float(sys.argv[2])
assert spec["input_dim"] == 2, "regioncam: 2D inputs only"
layers = []
for layer in spec["layers"]:
    if layer["type"] in ("dense", "linear"):
        w = np.array([[float(Fraction(str(v))) for v in row] for row in layer["weight"]], dtype=np.float32)
        b = np.array([float(Fraction(str(v))) for v in layer["bias"]], dtype=np.float32)
        layers.append(("linear", w.T.copy(), b))
    elif layer["type"] == "relu":
        layers.append(("relu",))
    else:
        sys.exit("regioncam runner: ReLU networks only")
t0 = time.perf_counter()
rc = regioncam.Regioncam(size=size)
for l in layers:
    if l[0] == "linear":
        rc.linear(l[1], l[2])
    else:
        rc.relu()
t1 = time.perf_counter()
points = np.asarray(rc.vertex_inputs, dtype=np.float64)
radii = []
for face in rc.faces:
    v = points[np.asarray(face.vertex_ids)]
    # The sides as a·x <= b with the polygon's centroid inside; maximise r with a·x + r|a| <= b.
    c = v.mean(axis=0)
    rows, rhs = [], []
    for p, q in zip(v, np.roll(v, -1, axis=0)):
        a = np.array([q[1] - p[1], p[0] - q[0]])
        n = np.hypot(*a)
        if n == 0:
            continue
        b = a @ p
        if a @ c > b:
            a, b = -a, -b
        rows.append([a[0], a[1], n])
        rhs.append(b)
    res = linprog([0, 0, -1], A_ub=np.array(rows), b_ub=np.array(rhs), bounds=[(None, None)] * 3, method="highs")
    radii.append(res.x[2] if res.status == 0 else float("nan"))
t2 = time.perf_counter()
if "--radii" in sys.argv:
    print(json.dumps(sorted(radii)))
    sys.exit()
print(json.dumps({"tool": "regioncam+chebyshev", "regions": rc.num_faces, "seconds": t2 - t0, "mesh_seconds": t1 - t0}))
