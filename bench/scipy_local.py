#!/usr/bin/env python3
"""The float baseline of `stats --points` as a user of the paper would write it.

For each point: the activation pattern by a forward pass, the region's rows (every hidden
neuron's pre-activation as an affine map of the input under that pattern, and the box
[0,1]^d), one scipy HiGHS `linprog` per row for redundancy (row i is a facet iff the maximum
of a_i x over the other rows, with row i moved out by 1, passes b_i), and one for the
Chebyshev ball (max r with a_i x + r |a_i| <= b_i). Floats and tolerances throughout: a
baseline for speed, not an answer to trust.

    python3 bench/scipy_local.py NET.json POINTS.csv [--json OUT.json]

Prints one line per point (seconds, facets, L2 inradius) and the total. Needs numpy and
scipy (not torch). Only dense/relu/leaky_relu networks (no batch norm layers).
"""
import argparse
import json
import sys
import time
from fractions import Fraction

import numpy as np
from scipy.optimize import linprog


def num(v):
    return float(Fraction(v)) if isinstance(v, str) else float(v)


def load(path):
    net = json.load(open(path))
    layers = []
    for layer in net["layers"]:
        t = layer["type"]
        if t == "dense":
            w = np.array([[num(v) for v in row] for row in layer["weight"]])
            b = np.array([num(v) for v in layer["bias"]])
            layers.append(("dense", w, b))
        elif t == "relu":
            layers.append(("act", 0.0))
        elif t == "leaky_relu":
            layers.append(("act", num(layer["slope"])))
        else:
            sys.exit(f"{path}: layer type {t} not supported by the baseline")
    return net["input_dim"], layers


def region_rows(d, layers, x):
    """Rows (A, b) with A z <= b on the region of x, and the box."""
    # The affine map z -> M z + c of the current layer's input.
    m, c = np.eye(d), np.zeros(d)
    rows, rhs = [], []
    h = x.copy()
    for i, layer in enumerate(layers):
        if layer[0] != "dense" or i == len(layers) - 1:
            continue
        _, w, b = layer
        pre_m, pre_c = w @ m, w @ c + b
        pre = w @ h + b
        slope = layers[i + 1][1] if i + 1 < len(layers) and layers[i + 1][0] == "act" else None
        if slope is None:
            m, c, h = pre_m, pre_c, pre
            continue
        on = pre > 0
        # Active: pre >= 0, i.e. -pre <= 0; inactive: pre <= 0.
        sign = np.where(on, -1.0, 1.0)
        rows.append(sign[:, None] * pre_m)
        rhs.append(-sign * pre_c)
        gate = np.where(on, 1.0, slope)
        m, c, h = gate[:, None] * pre_m, gate * pre_c, gate * pre
    rows.append(np.eye(d))
    rhs.append(np.ones(d))
    rows.append(-np.eye(d))
    rhs.append(np.zeros(d))
    return np.vstack(rows), np.concatenate(rhs)


def facets(a, b):
    count = 0
    for i in range(len(b)):
        bb = b.copy()
        bb[i] += 1.0
        res = linprog(-a[i], A_ub=a, b_ub=bb, bounds=[(None, None)] * a.shape[1], method="highs")
        if res.status == 0 and -res.fun > b[i] + 1e-9:
            count += 1
    return count


def chebyshev(a, b):
    norms = np.linalg.norm(a, axis=1)
    d = a.shape[1]
    obj = np.zeros(d + 1)
    obj[-1] = -1.0
    res = linprog(obj, A_ub=np.hstack([a, norms[:, None]]), b_ub=b,
                  bounds=[(None, None)] * d + [(0, None)], method="highs")
    return res.x[-1] if res.status == 0 else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net")
    ap.add_argument("points")
    ap.add_argument("--json")
    args = ap.parse_args()
    d, layers = load(args.net)
    pts = []
    for line in open(args.points):
        fields = line.strip().split(",")
        try:
            pts.append(np.array([float(v) for v in fields]))
        except ValueError:
            continue  # a header
    out = []
    start = time.perf_counter()
    for k, x in enumerate(pts):
        t0 = time.perf_counter()
        a, b = region_rows(d, layers, x)
        n_facets = facets(a, b)
        r = chebyshev(a, b)
        dt = time.perf_counter() - t0
        out.append({"point": k + 1, "seconds": dt, "facets": n_facets, "inradius_l2": r})
        print(f"point {k + 1}: {dt:.2f} s, {n_facets} facets, L2 inradius {r:.6f}", flush=True)
    total = time.perf_counter() - start
    print(f"total {total:.2f} s for {len(pts)} points ({total / max(len(pts), 1):.2f} s a point)")
    if args.json:
        json.dump({"points": out, "total_seconds": total}, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
