"""The Python package: every entry point against known answers, with the CLI's messages."""
import json
import os
import sys
import threading
import time
import types
from fractions import Fraction

import numpy as np
import pytest

import linregions as lr

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
FIX = os.path.join(ROOT, "fixtures")


def two_relus():
    # relu(x) + relu(y): 4 regions in any box around the origin.
    return lr.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])


def test_from_layers_is_exact_and_counts_known_regions():
    net = lr.Network.from_layers([([[0.1, 1.0]], [0.0]), ([[1.0]], [0.0])])
    # 0.1 is taken at its exact binary value, not as 1/10.
    assert Fraction(net.layers[0]["weight"][0][0]) == Fraction(0.1) != Fraction(1, 10)
    res = two_relus().enumerate(box=[(-1, 1), (-1, 1)])
    assert len(res) == 4 and res.complete
    part = two_relus().enumerate(box=[(-1, 1), (-1, 1)], max_regions=2)
    assert len(part) == 2 and not part.complete
    assert res.patterns() == {("00",), ("01",), ("10",), ("11",)}
    r = res.regions[3]
    assert r.pattern == ("11",)
    assert r.logits.weight == ((1, 1),) and r.logits.bias == (0,)
    assert r.interior_point == (Fraction(1, 2), Fraction(1, 2))
    assert r.insphere_linf.radius_lower == Fraction(1, 2)
    assert isinstance(r.insphere.radius_lower, Fraction)
    assert r.insphere.radius_lower <= r.insphere.radius_upper
    a, b = r.facets.to_numpy()
    assert a.shape == (4, 2) and b.shape == (4,)
    w, c = r.logits.to_numpy()
    assert w.tolist() == [[1.0, 1.0]] and c.tolist() == [0.0]
    assert r.interior_point.to_numpy().tolist() == [0.5, 0.5]


def test_domains_whole_space_polytope_and_leaky():
    net = two_relus()
    assert len(net.enumerate(unbounded=True)) == 4
    # The triangle x >= 0.5, y >= 0.5, x + y <= 2 lies in one region.
    tri = net.enumerate(domain=(np.array([[-1, 0], [0, -1], [1, 1]]), np.array([-0.5, -0.5, 2])))
    assert [r.pattern for r in tri] == [("11",)]
    leaky = lr.Network.from_layers([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))],
                                   activation="leaky_relu", slope="1/10")
    assert leaky.enumerate().regions[0].logits.weight == ((Fraction(1, 10), Fraction(1, 10)),)


def test_from_file_reads_every_format_with_the_clis_messages():
    mlp = lr.Network.from_file(os.path.join(FIX, "torch", "mlp.pt"), arch="linear,relu,linear")
    assert mlp.notes == ["0: linear 2 -> 3, relu, 2: linear 3 -> 1"]
    same = lr.Network.from_file(os.path.join(FIX, "torch", "mlp.safetensors"), arch="linear,relu,linear")
    onnx = lr.Network.from_file(os.path.join(FIX, "onnx", "mlp.onnx"))
    assert mlp.json == same.json == onnx.json
    # The default ONNX exporter: weights in external data beside the model.
    assert lr.Network.from_file(os.path.join(FIX, "onnx", "dynamo_mlp.onnx")).input_dim == 2
    with pytest.raises(lr.LinregionsError, match=r"custom.pt: .*--arch linear@fc1,bn@bn1,relu"):
        lr.Network.from_file(os.path.join(FIX, "torch", "custom.pt"))
    with pytest.raises(lr.LinregionsError, match=r"torch.save\(model.state_dict\(\), PATH\)"):
        lr.Network.from_file(os.path.join(FIX, "torch", "whole_model.pt"))
    with pytest.raises(lr.LinregionsError, match="cannot read"):
        lr.Network.from_file(os.path.join(FIX, "no-such-file.json"))
    with pytest.raises(lr.LinregionsError, match="bias"):
        lr.Network.from_layers([([[1.0, 2.0]], [0.0, 1.0])])
    with pytest.raises(lr.LinregionsError, match="not finite"):
        lr.Network.from_layers([([[float("nan")]], [0.0])])


def test_graphs_with_skips_and_max_pooling():
    # fixtures/skip_nodes.json: x0 + relu(x0 - x1) + relu(x1 + relu(x1)), maps by hand.
    net = lr.Network.from_file(os.path.join(FIX, "skip_nodes.json"))
    res = net.enumerate(unbounded=True)
    got = sorted(("|".join(r.pattern), tuple(r.logits.weight[0])) for r in res.regions)
    f = Fraction
    assert got == [("00|0", (f(1), f(0))), ("01|1", (f(1), f(2))), ("10|0", (f(2), f(-1))), ("11|1", (f(2), f(1)))]
    assert res.verify(raise_on_failure=True)
    # max(x1, x2) from ONNX, its one bit the argmax choice.
    res = lr.Network.from_file(os.path.join(FIX, "onnx", "maxpool_signed.onnx")).enumerate(box=[(-1, 1), (-1, 1)])
    assert sorted(r.pattern for r in res.regions) == [("0",), ("1",)]


def test_verify_networkx_inspect():
    res = lr.Network.from_file(os.path.join(FIX, "net-2-8-8-1.json")).enumerate(box=[(-2, 2), (-2, 2)])
    assert res.verify(raise_on_failure=True)
    g = res.to_networkx()
    assert g.number_of_nodes() == len(res) and g.number_of_edges() == len(res.edges) > 0
    # A tampered document fails verification.
    doc = json.loads(res.json)
    doc["regions"][0]["logits"]["bias"][0] = str(Fraction(doc["regions"][0]["logits"]["bias"][0]) + 1)
    bad = lr.Regions(res.network, json.dumps(doc))
    assert not bad.verify()
    with pytest.raises(AssertionError):
        bad.verify(raise_on_failure=True)
    r = two_relus().inspect([0, "1/2"])
    assert r.vanishing == [(0, 0)]  # x = 0: on the boundary, the lexicographic rule picks x > 0
    assert r.pattern == ("11",)
    assert {f.neighbor_pattern for f in r.facets} == {("01",), ("10",)}


def test_assert_partition_matches_for_other_tools():
    net = two_relus()
    lr.testing.assert_partition_matches(net, [(-1, 1), (-1, 1)], patterns=[[0, 0], [0, 1], "10", np.array([1, 1])])
    with pytest.raises(AssertionError, match="1 regions not found: 11"):
        lr.testing.assert_partition_matches(net, [(-1, 1), (-1, 1)], patterns=["00", "01", "10"])
    with pytest.raises(AssertionError, match="not full-dimensional regions: 11"):
        lr.testing.assert_partition_matches(net, [(-2, -1), (-1, 1)], patterns=["00", "01", "11"])
    with pytest.raises(AssertionError, match="more than once"):
        lr.testing.assert_partition_matches(net, [(-1, 1), (-1, 1)], patterns=["00", "01", "10", "11", "11"])


def test_the_gil_is_released_while_enumerating():
    net = lr.Network.from_file(os.path.join(FIX, "net-2-16-16-1.json"))
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    try:
        for _ in range(3):
            res = net.enumerate(box=[(-10, 10), (-10, 10)])
    finally:
        elapsed = time.perf_counter() - start
        done.set()
        t.join()
    assert len(res) == 449  # linregions enumerate fixtures/net-2-16-16-1.json --box=-10:10
    # The other thread kept running during the enumeration (with the GIL held it would stall).
    during = [x for x in ticks if start <= x <= start + elapsed]
    assert len(during) >= min(20, elapsed / 0.01), (len(during), elapsed)


class _Fake:
    """A stand-in for the parts of torch that from_torch uses, so the test runs without torch
    (the real module: python/tests/torch_check.py)."""


def _fake_torch():
    torch = types.ModuleType("torch")
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")

    class Tensor:
        def __init__(self, a):
            self.a = np.asarray(a, dtype=np.float32)
            self.shape = self.a.shape

        def detach(self):
            return self

        def to(self, device=None, dtype=None):
            return Tensor(self.a)

        def reshape(self, *s):
            t = Tensor(self.a.reshape(*s))
            return t

        def tolist(self):
            return self.a.astype(np.float64).tolist()

    class Module:
        pass

    class Sequential(Module):
        def __init__(self, *mods):
            self.mods = mods

        def named_children(self):
            return [(str(i), m) for i, m in enumerate(self.mods)]

    class Linear(Module):
        def __init__(self, w, b):
            self.weight, self.bias = Tensor(w), Tensor(b)

    class ReLU(Module):
        pass

    class LeakyReLU(Module):
        def __init__(self, s):
            self.negative_slope = s

    class BatchNorm1d(Module):
        def __init__(self, n):
            self.num_features, self.eps = n, 0.0
            self.weight, self.bias = Tensor(np.full(n, 2.0)), Tensor(np.zeros(n))
            self.running_mean, self.running_var = Tensor(np.zeros(n)), Tensor(np.full(n, 4.0))

    for c in (Module, Sequential, Linear, ReLU, LeakyReLU, BatchNorm1d):
        setattr(nn, c.__name__, c)
    for c in ("Dropout", "Identity", "Flatten", "Conv2d"):
        setattr(nn, c, type(c, (Module,), {}))
    torch.nn, torch.float64 = nn, "float64"
    nn.functional = functional
    return torch, nn, functional


def test_from_torch_walks_a_sequential(monkeypatch):
    torch, nn, functional = _fake_torch()
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setitem(sys.modules, "torch.nn", nn)
    monkeypatch.setitem(sys.modules, "torch.nn.functional", functional)
    model = nn.Sequential(nn.Linear([[1.0, -0.5], [0.25, 2.0]], [0.0, 1.0]), nn.BatchNorm1d(2), nn.LeakyReLU(0.1),
                          nn.Dropout(), nn.Linear([[1.0, 1.0]], [0.125]))
    net = lr.Network.from_torch(model)
    w = net.layers[0]["weight"]
    # Batch norm folded: scale 2 / sqrt(4 + 0) = 1.
    assert w == [["1", "-1/2"], ["1/4", "2"]]
    assert Fraction(net.layers[1]["slope"]) == Fraction(0.1)
    with pytest.raises(lr.LinregionsError, match="Conv2d is not supported"):
        lr.Network.from_torch(nn.Sequential(nn.Conv2d()))
