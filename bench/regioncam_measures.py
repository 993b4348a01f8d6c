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

import numpy as np
from regioncam_net import load, mesh
from scipy.optimize import linprog

layers = load(sys.argv[1])
size = float(sys.argv[2])
t0 = time.perf_counter()
rc = mesh(layers, size)
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
