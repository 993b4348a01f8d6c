"""A linregions network file as regioncam layers, and regioncam's mesh of it: shared by
bench/regioncam_run.py and bench/regioncam_measures.py (imported from beside them)."""
import json
import sys
from fractions import Fraction

import numpy as np
import regioncam


def load(path):
    """The layers of a 2-input ReLU network file: ("linear", W, b) in f32 (regioncam computes
    x @ W + b, so W is the file's weight transposed) and ("relu",)."""
    spec = json.load(open(path))
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
    return layers


def mesh(layers, size):
    """regioncam's partition of the box [-size, size]^2."""
    rc = regioncam.Regioncam(size=size)
    for l in layers:
        if l[0] == "linear":
            rc.linear(l[1], l[2])
        else:
            rc.relu()
    return rc
