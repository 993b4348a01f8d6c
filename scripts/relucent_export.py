#!/usr/bin/env python3
"""Export relucent's regions for `linregions compare --format relucent-json`.

Usage:
    python3 scripts/relucent_export.py NET OUT.json [--arch SPEC]

NET is any network file linregions reads (JSON; safetensors, torch.save or ONNX through the
linregions Python package or the `linregions convert` command). Builds the PyTorch network
(weights as float64, which relucent uses), runs relucent's BFS over the complex (the whole
input space, which `compare --format relucent-json` then uses unless given a domain), and
writes one object per region:

    {"ss": [[...], ...], "halfspaces": [[a_1, ..., a_d, c], ...], "inradius": r}

`ss` is the sign sequence (> 0 active), each halfspace row means a·x + c <= 0 (scipy's
HalfspaceIntersection convention), `inradius` the Chebyshev radius if relucent reports one
(`null` when it is infinite: JSON has no infinity).
relucent needs Gurobi (its size-limited free licence is enough for toy networks):
    python3 -m venv .venv && .venv/bin/pip install "relucent[torch]"
The attribute names below follow relucent's README (Complex, bfs, iteration over
polyhedra with .ss and .halfspaces); adjust them if your relucent version differs.
"""
import argparse
import json
import math
import os
import sys
from fractions import Fraction

sys.path.insert(0, os.path.dirname(__file__))
import netspec  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("net")
    ap.add_argument("out")
    ap.add_argument("--arch", help="--arch of a PyTorch state_dict, as for linregions")
    a = ap.parse_args()
    import numpy as np
    import torch
    import torch.nn as nn
    import relucent

    spec = netspec.load(a.net, a.arch)
    layers, width = [], spec["input_dim"]
    for layer in spec["layers"]:
        if layer["type"] in ("dense", "linear"):
            w = [[float(Fraction(str(v))) for v in row] for row in layer["weight"]]
            b = [float(Fraction(str(v))) for v in layer["bias"]]
            lin = nn.Linear(width, len(b)).double()
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(w, dtype=torch.float64))
                lin.bias.copy_(torch.tensor(b, dtype=torch.float64))
            layers.append(lin)
            width = len(b)
        elif layer["type"] == "relu":
            layers.append(nn.ReLU())
        else:
            sys.exit("relucent handles ReLU networks only")
    net = nn.Sequential(*layers)
    cplx = relucent.Complex(net)
    cplx.bfs()
    out = []
    for poly in cplx:
        ss = np.asarray(poly.ss).tolist()
        item = {"ss": ss}
        hs = getattr(poly, "halfspaces", None)
        if hs is not None:
            shis = getattr(poly, "shis", None)
            rows = np.asarray(hs)
            if shis is not None:
                rows = rows[list(shis)]
            item["halfspaces"] = rows.tolist()
        r = getattr(poly, "inradius", None)
        if r is not None:
            r = float(r)
            item["inradius"] = r if math.isfinite(r) else None
        out.append(item)
    json.dump(out, open(a.out, "w"), allow_nan=False)


if __name__ == "__main__":
    main()
