"""Exact linear regions of ReLU / leaky-ReLU networks.

Every sign, facet, adjacency and count is decided in exact rational arithmetic by the Rust
core (the `linregions` crate); results come back as :class:`fractions.Fraction`, with
``.to_numpy()`` for floats.

>>> import linregions as lr
>>> net = lr.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0])])
>>> res = net.enumerate(box=[(-1, 1), (-1, 1)])
>>> len(res.regions)
4
>>> res.regions[0].pattern
('00',)
"""
from __future__ import annotations

import json
import os
from fractions import Fraction
from typing import Any, Iterable, Iterator, Optional, Sequence, Tuple, Union

from . import _native
from ._native import LinregionsError

__all__ = [
    "LinregionsError",
    "Network",
    "Regions",
    "Region",
    "Facet",
    "Vector",
    "Matrix",
    "Affine",
    "Insphere",
    "testing",
]

Number = Union[int, float, Fraction, str]


def exact(x: Number) -> str:
    """An exact rational as the JSON formats write it: floats at their exact binary value."""
    if isinstance(x, str):
        return x
    if isinstance(x, bool):
        raise LinregionsError(f"{x!r} is not a number")
    if isinstance(x, (int, Fraction)):
        return str(Fraction(x))
    try:
        f = float(x)  # numpy scalars
    except (TypeError, ValueError):
        raise LinregionsError(f"{x!r} is not a number") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise LinregionsError(f"{x!r} is not finite")
    return str(Fraction(f))


def _frac(s: Optional[str]) -> Union[Fraction, float, None]:
    if s is None:
        return None
    if s == "inf":
        return float("inf")
    return Fraction(s)


class Vector(tuple):
    """A tuple of exact :class:`~fractions.Fraction` coordinates."""

    def __new__(cls, items: Iterable[str]):
        return super().__new__(cls, (Fraction(x) for x in items))

    def to_numpy(self):
        import numpy as np

        return np.array([float(x) for x in self], dtype=np.float64)


class Matrix(tuple):
    """A tuple of rows (:class:`Vector`)."""

    def __new__(cls, rows: Iterable[Iterable[str]]):
        return super().__new__(cls, (Vector(r) for r in rows))

    def to_numpy(self):
        import numpy as np

        return np.array([[float(x) for x in r] for r in self], dtype=np.float64).reshape(len(self), -1)


class Affine:
    """The exact affine map ``weight @ x + bias`` of the outputs on a region."""

    def __init__(self, doc: dict):
        self.weight = Matrix(doc["weight"])
        self.bias = Vector(doc["bias"])

    def __call__(self, x: Sequence[Number]) -> Vector:
        xs = [Fraction(exact(v)) for v in x]
        return Vector(str(sum((w * v for w, v in zip(row, xs)), Fraction(0)) + b) for row, b in zip(self.weight, self.bias))

    def to_numpy(self):
        return self.weight.to_numpy(), self.bias.to_numpy()

    def __repr__(self) -> str:
        return f"Affine(weight={self.weight!r}, bias={self.bias!r})"


class Facet:
    """A facet ``a . x <= b`` of a region (coprime integers), its sources (neurons
    ``("neuron", layer, index)`` and domain rows ``("domain", i)``) and the neighbouring
    region's id (``None`` on the domain's boundary; from ``Network.inspect``, the
    neighbour's ``neighbor_pattern`` instead)."""

    def __init__(self, doc: dict):
        self.a = Vector(doc["a"])
        self.b = Fraction(doc["b"])
        self.sources = tuple(
            ("neuron", *s["neuron"]) if "neuron" in s else ("domain", s["domain"]) for s in doc["sources"]
        )
        self.neighbor: Optional[int] = doc.get("neighbor")
        np_ = doc.get("neighbor_pattern")
        self.neighbor_pattern: Optional[Tuple[str, ...]] = tuple(np_) if np_ is not None else None

    def __repr__(self) -> str:
        return f"Facet(a={self.a!r}, b={self.b!r}, sources={self.sources!r}, neighbor={self.neighbor!r})"


class Facets(list):
    """The irredundant facets of a region; ``to_numpy()`` gives ``(A, b)`` with ``A x <= b``."""

    def to_numpy(self):
        import numpy as np

        a = np.array([[float(v) for v in f.a] for f in self], dtype=np.float64)
        return a, np.array([float(f.b) for f in self], dtype=np.float64)


class Insphere:
    """An inscribed ball: ``center`` (``None`` when the region holds balls of every radius)
    and certified bounds ``radius_lower <= r* <= radius_upper`` (equal for the exact L-inf
    cube; ``inf`` when unbounded)."""

    def __init__(self, doc: dict):
        c = doc.get("center")
        self.center = Vector(c) if c is not None else None
        if "radius" in doc:
            self.radius_lower = self.radius_upper = _frac(doc["radius"])
        else:
            self.radius_lower = _frac(doc["radius_lower"])
            self.radius_upper = _frac(doc["radius_upper"])

    def to_numpy(self):
        """``(center, radius)`` as floats (the radius is the certified lower bound)."""
        return (None if self.center is None else self.center.to_numpy()), float(self.radius_lower)

    def __repr__(self) -> str:
        return f"Insphere(center={self.center!r}, radius_lower={self.radius_lower!r}, radius_upper={self.radius_upper!r})"


class Region:
    """One full-dimensional activation region, with every field of the regions format."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.id: int = doc["id"]
        self.pattern: Tuple[str, ...] = tuple(doc["pattern"])
        self.interior_point = Vector(doc["interior_point"])
        self.bounded: bool = doc["bounded"]
        self.facets = Facets(Facet(f) for f in doc["facets"])
        self.logits = Affine(doc["logits"])
        self.insphere = Insphere(doc["insphere"])
        self.insphere_linf = Insphere(doc["insphere_linf"])
        self.vertices = Matrix(doc["vertices"]) if "vertices" in doc else None
        self.volume = Fraction(doc["volume"]) if "volume" in doc else None

    def __repr__(self) -> str:
        return f"Region(id={self.id}, pattern={self.pattern!r}, facets={len(self.facets)})"


class Regions:
    """The regions of a domain (``Network.enumerate``): ``regions``, ``edges`` (pairs of
    adjacent ids), the raw document ``json`` (``linregions.regions/1``)."""

    def __init__(self, net: "Network", text: str):
        self.network = net
        self.json = text
        doc = json.loads(text)
        self.doc = doc
        self.domain = doc["domain"]
        #: False when ``max_regions`` or ``time_limit`` stopped the run: ``regions`` are then
        #: some of the domain's (each exact; a neighbour not reached is ``None``).
        self.complete: bool = doc.get("complete", True)
        self.regions = [Region(r) for r in doc["regions"]]
        self.edges = [(e["a"], e["b"]) for e in doc["edges"]]

    def __len__(self) -> int:
        return len(self.regions)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions)

    def patterns(self) -> set:
        """The set of patterns (tuples of per-layer bit strings)."""
        return {r.pattern for r in self.regions}

    def to_networkx(self):
        """The adjacency graph: one node per region id (attributes ``pattern``,
        ``interior_point``, ``bounded``), one edge per pair of regions sharing a facet."""
        import networkx as nx

        g = nx.Graph()
        for r in self.regions:
            g.add_node(r.id, pattern=r.pattern, interior_point=r.interior_point, bounded=r.bounded)
        g.add_edges_from(self.edges)
        return g

    def verify(self, raise_on_failure: bool = False) -> bool:
        """Check the document independently against the network (``linregions verify``):
        completeness, facets, adjacency, maps, inspheres. Returns whether every check holds
        (or raises ``AssertionError`` with the report when asked)."""
        ok, text, _ = _native.verify(self.network.json, self.json)
        self.verify_report = text
        if raise_on_failure and not ok:
            raise AssertionError(text)
        return ok


def _box_spec(box: Sequence[Tuple[Number, Number]]) -> str:
    return ",".join(f"{exact(lo)}:{exact(hi)}" for lo, hi in box)


def _domain_json(domain: Tuple[Any, Any]) -> str:
    a, b = domain
    return json.dumps({"a": [[exact(v) for v in row] for row in _rows(a)], "b": [exact(v) for v in _flat(b)]})


def _rows(m) -> list:
    return m.tolist() if hasattr(m, "tolist") else [list(r) for r in m]


def _flat(v) -> list:
    return v.tolist() if hasattr(v, "tolist") else list(v)


class Network:
    """An exact piecewise-linear network (dense layers, ReLU / leaky-ReLU activations)."""

    def __init__(self, json_text: str, notes: Sequence[str] = ()):
        self.json = _native.parse_network(json_text)
        self.notes = list(notes)
        doc = json.loads(self.json)
        self.input_dim: int = doc["input_dim"]
        self.layers = doc["layers"]

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike], arch: Optional[str] = None, bn_eps: float = 1e-5) -> "Network":
        """Any file the CLI reads: JSON, a PyTorch ``state_dict`` (safetensors, ``torch.save``)
        or ONNX (with its external data beside it), told apart by content. ``arch`` is the
        CLI's ``--arch`` (``"linear,relu,linear"``, ``"linear@fc1,..."``)."""
        text, notes = _native.read_network(os.fspath(path), arch, bn_eps)
        return cls(text, notes)

    @classmethod
    def from_layers(cls, layers, activation: str = "relu", slope: Number = 0) -> "Network":
        """From ``[(W1, b1), (W2, b2), ...]`` (numpy arrays or nested lists, ``W`` as
        ``[out][in]`` like PyTorch); floats are taken at their exact binary value, strings
        as exact decimals or fractions. ``activation`` (``"relu"`` or ``"leaky_relu"`` with
        ``slope``) sits between consecutive layers."""
        if activation not in ("relu", "leaky_relu"):
            raise LinregionsError(f"activation {activation!r}: relu or leaky_relu")
        out = []
        input_dim = None
        for k, (w, b) in enumerate(layers):
            rows = _rows(w)
            if input_dim is None:
                input_dim = len(rows[0]) if rows else 0
            if k > 0:
                out.append({"type": "relu"} if activation == "relu" else {"type": "leaky_relu", "slope": exact(slope)})
            out.append({"type": "dense", "weight": [[exact(v) for v in r] for r in rows], "bias": [exact(v) for v in _flat(b)]})
        if input_dim is None:
            raise LinregionsError("from_layers: no layers")
        return cls(json.dumps({"input_dim": input_dim, "layers": out}))

    @classmethod
    def from_torch(cls, model, input_shape: Optional[Sequence[int]] = None) -> "Network":
        """From a PyTorch module (in eval mode). An ``nn.Sequential`` of Linear,
        BatchNorm1d (eval statistics, folded), ReLU, LeakyReLU, Dropout, Identity and
        Flatten, or any module whose ``torch.fx`` trace is such a chain
        (``self.fc2(F.relu(self.fc1(x)))``), is read from its parameters directly. Any other
        model (convolutions, pooling, residual blocks) is exported to ONNX by torch and read
        as ONNX files are: give ``input_shape``, one sample's shape without the batch axis
        (``(1, 28, 28)``). torch is imported only here."""
        from ._torch import tensors_and_arch, via_onnx

        if input_shape is not None:
            text = via_onnx(model, input_shape)
            return cls(text)
        tensors, arch, eps = tensors_and_arch(model)
        return cls(_native.network_from_tensors(tensors, arch, eps))

    def enumerate(
        self,
        box: Optional[Sequence[Tuple[Number, Number]]] = None,
        unbounded: bool = False,
        domain: Optional[Tuple[Any, Any]] = None,
        volumes: bool = False,
        max_regions: Optional[int] = None,
        time_limit: Optional[float] = None,
    ) -> Regions:
        """Every full-dimensional region of the domain: a ``box`` ``[(lo, hi), ...]``, the
        whole space (``unbounded=True``) or a polytope ``domain=(A, b)`` (``A x <= b``); the
        default box is ``[-1, 1]^d``. ``max_regions`` / ``time_limit`` (seconds) stop it
        early with ``complete == False``, as the CLI's limits. The GIL is released while it
        runs."""
        text = _native.enumerate(
            self.json,
            _box_spec(box) if box is not None else None,
            _domain_json(domain) if domain is not None else None,
            unbounded,
            volumes,
            max_regions,
            time_limit,
        )
        return Regions(self, text)

    def inspect(self, point: Sequence[Number], box: Optional[Sequence[Tuple[Number, Number]]] = None) -> Region:
        """The region at a point (``linregions inspect``), in the whole space or a box:
        pattern, facets (with ``neighbor_pattern``), exact map, inspheres. ``vanishing``
        lists the neurons ``(layer, index)`` that are exactly zero at the point; there the
        documented lexicographic rule picks the region."""
        spec = ",".join(exact(v) for v in _flat(point))
        doc = json.loads(_native.inspect(self.json, spec, _box_spec(box) if box is not None else None, None))
        region = Region(doc["region"])
        region.point = Vector(doc["point"])
        region.vanishing = [tuple(n) for n in doc["vanishing"]]
        return region

    def __repr__(self) -> str:
        return f"Network(input_dim={self.input_dim}, layers={len(self.layers)})"


from . import testing  # noqa: E402  (needs Network)
