#!/usr/bin/env python3
"""Run regioncam (f32, 2D) on a linregions network file in the box [-S,S]^2 and print
{"tool": "regioncam", "regions": faces, "seconds": t} as JSON: the best of 5 meshes, timed
inside Python. With `--write OUT.json`, one mesh, then its result written as a user would
save it (the vertices, and each face's vertex ids and area, with json.dump): the harness
times that whole process end to end.
Usage: python3 bench/regioncam_run.py NET.json S [--write OUT.json]"""
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
write = sys.argv[sys.argv.index("--write") + 1] if "--write" in sys.argv else None
best = None
for _ in range(1 if write else 5):
    t0 = time.perf_counter()
    rc = regioncam.Regioncam(size=size)
    for l in layers:
        if l[0] == "linear":
            rc.linear(l[1], l[2])
        else:
            rc.relu()
    dt = time.perf_counter() - t0
    best = dt if best is None else min(best, dt)
if write:
    doc = {
        "vertices": rc.vertex_inputs.tolist(),
        "faces": [{"vertices": f.vertex_ids.tolist(), "area": f.area} for f in rc.faces],
    }
    with open(write, "w") as out:
        json.dump(doc, out)
print(json.dumps({"tool": "regioncam", "regions": rc.num_faces, "seconds": best}))
