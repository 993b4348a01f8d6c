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

from regioncam_net import load, mesh

layers = load(sys.argv[1])
size = float(sys.argv[2])
write = sys.argv[sys.argv.index("--write") + 1] if "--write" in sys.argv else None
best = None
for _ in range(1 if write else 5):
    t0 = time.perf_counter()
    rc = mesh(layers, size)
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
