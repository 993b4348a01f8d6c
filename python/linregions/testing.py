"""Assertions for the test suites of float-based region tools: compare their regions with
the exact ones.

>>> import linregions as lr
>>> net = lr.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0])])
>>> lr.testing.assert_partition_matches(net, [(-1, 1), (-1, 1)], patterns=["00", "01", "10", "11"])
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

__all__ = ["assert_partition_matches", "normalize_pattern"]


def normalize_pattern(p, layer_sizes: Sequence[int]) -> Tuple[str, ...]:
    """A pattern as a tuple of per-layer bit strings, from: such a tuple; one string (with or
    without separators between layers); a flat sequence of 0/1 (or booleans); or one such
    sequence per layer (numpy arrays included)."""
    if hasattr(p, "tolist"):
        p = p.tolist()
    if isinstance(p, str):
        bits = "".join(c for c in p if c in "01")
    elif all(isinstance(x, str) for x in p):
        bits = "".join(p)
    elif all(hasattr(x, "__len__") for x in p):
        bits = "".join(str(int(bool(b))) for layer in p for b in (layer.tolist() if hasattr(layer, "tolist") else layer))
    else:
        bits = "".join(str(int(bool(b))) for b in p)
    if len(bits) != sum(layer_sizes):
        raise AssertionError(f"pattern {p!r} has {len(bits)} bits, the network has {sum(layer_sizes)} neurons")
    out, k = [], 0
    for n in layer_sizes:
        out.append(bits[k:k + n])
        k += n
    return tuple(out)


def assert_partition_matches(net, box: Optional[Sequence[Tuple]] = None, patterns: Iterable = (), unbounded: bool = False, show: int = 5) -> None:
    """Assert that ``patterns`` (another tool's activation patterns, one per region) are
    exactly the full-dimensional regions of ``net`` in the box (or the whole space):
    every exact region found, no pattern that is not a region, no region counted twice.
    The message lists what differs."""
    res = net.enumerate(box=box, unbounded=unbounded)
    sizes = res.doc["network"]["layer_sizes"]
    exact = res.patterns()
    given = [normalize_pattern(p, sizes) for p in patterns]
    seen, twice = set(), set()
    for p in given:
        (twice if p in seen else seen).add(p)
    missing = sorted(exact - seen)
    extra = sorted(seen - exact)
    if missing or extra or twice:
        def few(s):
            return ", ".join("|".join(p) for p in list(s)[:show]) + (" ..." if len(s) > show else "")
        lines = [f"{len(given)} patterns given, {len(exact)} exact regions"]
        if missing:
            lines.append(f"{len(missing)} regions not found: {few(missing)}")
        if extra:
            lines.append(f"{len(extra)} patterns that are not full-dimensional regions: {few(extra)}")
        if twice:
            lines.append(f"{len(twice)} patterns given more than once: {few(sorted(twice))}")
        raise AssertionError("; ".join(lines))
