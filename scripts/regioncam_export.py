#!/usr/bin/env python3
"""Export regioncam's faces for `linregions compare --format regioncam`.

Usage:
    python3 scripts/regioncam_export.py NET OUT.json --size S [--arch SPEC]

NET is any network file linregions reads (JSON; safetensors, torch.save or ONNX through the
linregions Python package or the `linregions convert` command). Builds the network in
regioncam (pip install regioncam; float32, 2 inputs, ReLU or leaky ReLU), cuts the box
[-S, S]^2, and writes one object per face:

    {"tool": "regioncam", "size": S, "faces": [{"pattern": ["0110", "1"], "point": [x, y]}, ...]}

`point` is the centroid of the face's vertices; `pattern` has one bit string per activation
layer, a neuron active (1) where regioncam's own affine map of its pre-activation is positive
at that point. `compare` checks that the patterns are exactly the regions of the box and that
each point lies in the region of its pattern.
"""
import argparse
import json
import os
import sys
from fractions import Fraction

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import netspec  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("net")
    ap.add_argument("out")
    ap.add_argument("--size", type=float, required=True, help="regioncam's box is [-size, size]^2")
    ap.add_argument("--arch", help="--arch of a PyTorch state_dict, as for linregions")
    a = ap.parse_args()
    import regioncam

    spec = netspec.load(a.net, a.arch)
    if spec["input_dim"] != 2:
        sys.exit("regioncam: 2 inputs only")
    rc = regioncam.Regioncam(size=a.size)
    pre_layers = []  # regioncam's layer index of each activation layer's pre-activations
    layer = 0
    for l in spec["layers"]:
        if l["type"] in ("dense", "linear"):
            w = np.array([[float(Fraction(v)) for v in row] for row in l["weight"]], dtype=np.float32)
            b = np.array([float(Fraction(v)) for v in l["bias"]], dtype=np.float32)
            rc.linear(w.T.copy(), b)  # regioncam: x @ weight + bias
            layer += 1
        elif l["type"] == "relu":
            pre_layers.append(layer)
            rc.relu()
            layer += 1
        elif l["type"] == "leaky_relu":
            pre_layers.append(layer)
            rc.leaky_relu(float(Fraction(l["slope"])))
            layer += 1
        else:
            sys.exit(f"regioncam export: layer type {l['type']} is not handled")
    inputs = np.asarray(rc.vertex_inputs, dtype=np.float64)
    maps = [np.asarray(rc.face_activations(k), dtype=np.float64) for k in pre_layers]
    faces = []
    for i, face in enumerate(rc.faces):
        c = inputs[list(face.vertex_ids)].mean(axis=0)
        h = np.array([c[0], c[1], 1.0])
        pattern = ["".join("1" if v > 0 else "0" for v in h @ m[i]) for m in maps]
        faces.append({"pattern": pattern, "point": [float(c[0]), float(c[1])]})
    json.dump({"tool": "regioncam", "size": a.size, "faces": faces}, open(a.out, "w"), indent=1)
    print(f"{len(faces)} faces", file=sys.stderr)


if __name__ == "__main__":
    main()
