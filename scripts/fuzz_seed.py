#!/usr/bin/env python3
"""Seed the per-reader fuzz corpora (fuzz/corpus/reader_<group>/) from the fixtures.

Each corpus file is one byte picking the reader within its group (the index into the
group's selectors of `filter_check::READER_GROUPS`) followed by a fixture of that reader's
format: the same files `tests/readers.rs` mutates. Run from the project root:

    python3 scripts/fuzz_seed.py && cd fuzz && cargo +nightly fuzz run reader_network
"""
import glob
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def groups():
    """READER_GROUPS parsed from src/filter_check.rs (one source of truth)."""
    src = open(os.path.join(ROOT, "src/filter_check.rs")).read()
    block = src[src.index("pub const READER_GROUPS") :]
    block = block[: block.index("];")]
    return {
        name: [int(s) for s in sels.split(",") if s.strip()]
        for name, sels in re.findall(r'\("(\w+)", &\[([\d, ]*)\]\)', block)
    }


def fixtures():
    """(reader number, file bytes), as in tests/readers.rs."""
    f = lambda p: open(os.path.join(ROOT, p), "rb").read()
    out = [(0, open(p, "rb").read()) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/*.json")))]
    out.append((1, b'{"a": [["1", "0"], ["0", "1"], ["-1", "-1"]], "b": ["1", "1", "1"]}'))
    out.append((2, b"-1/2:3,0:1e-3"))
    out.append((3, b"1/3,0.25,-2e5"))
    out.append((4, f("fixtures/plane3.csv")))
    out += [(5, open(p, "rb").read()) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/verify/*.json")))]
    out += [(6, f(f"fixtures/compare/{n}")) for n in ["patterns.json", "patterns.txt", "clean.txt"]]
    out += [(7, f(f"fixtures/compare/{n}")) for n in ["points.csv", "points-labels.json"]]
    out.append((8, f("fixtures/compare/regions.json")))
    out.append((9, f("fixtures/compare/relucent.json")))
    out.append((10, f("fixtures/known_boundary_points.csv")))
    out += [(11, f(p[len(ROOT) + 1 :])) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/torch/*.safetensors")))]
    out += [(12, f(p[len(ROOT) + 1 :])) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/onnx/*.onnx")))]
    out.append((13, b"linear,bn,relu,leaky_relu:0.1,dropout,identity,linear"))
    out.append((13, b"image:1x4x4,conv:2:1,relu,avgpool:2,flatten,linear@fc,bn@bn1,relu,linear"))
    out.append((13, b"linear,relu,skip,linear,bn,relu,linear,add,relu,linear"))
    out.append((13, b"linear,relu,skip,linear,relu,cat:skip_first,linear,relu,linear"))
    out.append((14, f("fixtures/verify/three_classes.certs.json")))
    out += [(15, f(p[len(ROOT) + 1 :])) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/torch/*.pt")))]
    out += [(16, f(p[len(ROOT) + 1 :])) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/onnx/*.onnx")))]
    out.append((17, f("fixtures/compare/regioncam.json")))
    out.append((18, b'{"id":0,"pattern":["110"],"interior_point":["9","-1/2"],"bounded":false,"facets":[{"a":["-2","1"],"b":"0","sources":[{"neuron":[0,0]}],"neighbor":1}],"logits":{"weight":[["3/4","-5/2"]],"bias":["-7/8"]},"insphere":{"center":null,"radius_lower":"inf","radius_upper":"inf"},"insphere_linf":{"center":null,"radius":"inf"}}'))
    out += [(19, open(p, "rb").read()) for p in sorted(glob.glob(os.path.join(ROOT, "fixtures/shard/*.json")))]
    return out


def main():
    gs = groups()
    files = fixtures()
    for name, sels in gs.items():
        d = os.path.join(ROOT, "fuzz/corpus", f"reader_{name}")
        os.makedirs(d, exist_ok=True)
        n = 0
        for sel, data in files:
            if sel in sels:
                seed = bytes([sels.index(sel)]) + data
                with open(os.path.join(d, hashlib.sha1(seed).hexdigest()), "wb") as out:
                    out.write(seed)
                n += 1
        print(f"reader_{name}: {n} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
