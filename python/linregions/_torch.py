"""From a PyTorch module to named tensors and an architecture spec (torch imported lazily)."""
from __future__ import annotations

from fractions import Fraction
from typing import List, Tuple

from ._native import LinregionsError

Tensors = List[Tuple[str, List[int], List[float]]]


def _chain(model):
    """The modules and functions of the model in forward order: (name, module or kind)."""
    import torch
    from torch import nn

    if isinstance(model, nn.Sequential):
        return [(name, m) for name, m in model.named_children()]
    import torch.nn.functional as F

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception as e:  # tracing runs Python code of the model: any failure is refused
        raise LinregionsError(f"from_torch: {type(model).__name__} is not an nn.Sequential and cannot be traced by torch.fx ({e}): export ONNX or save the state_dict") from None
    steps, prev = [], None
    functions = {torch.relu: "relu", F.relu: "relu", F.leaky_relu: "leaky_relu", torch.flatten: "flatten",
                 F.dropout: "identity"}
    for node in graph.nodes:
        if node.op == "placeholder":
            prev = node
            continue
        if node.op == "output":
            if node.args[0] is not prev:
                raise LinregionsError("from_torch: the traced model is not a chain of layers")
            break
        if not node.args or node.args[0] is not prev:
            raise LinregionsError(f"from_torch: `{node.name}` does not continue the chain (a residual connection or several inputs)")
        if node.op == "call_module":
            steps.append((node.target, model.get_submodule(node.target)))
        elif node.op == "call_function" and node.target in functions:
            kind = functions[node.target]
            if kind == "leaky_relu":
                slope = node.kwargs.get("negative_slope", node.args[1] if len(node.args) > 1 else 0.01)
                kind = ("leaky_relu", slope)
            steps.append((node.name, kind))
        elif node.op == "call_method" and node.target in ("relu", "flatten"):
            steps.append((node.name, node.target))
        else:
            raise LinregionsError(f"from_torch: `{node.name}` ({node.op} {node.target}) is not supported")
        prev = node
    return steps


def _values(t) -> Tuple[List[int], List[float]]:
    import torch

    t = t.detach().to(device="cpu", dtype=torch.float64)  # float32/16 -> float64 is exact
    return list(t.shape), t.reshape(-1).tolist()


def tensors_and_arch(model) -> Tuple[Tensors, str, float]:
    from torch import nn

    tensors: Tensors = []
    arch: List[str] = []
    eps = None
    for name, m in _chain(model):
        if isinstance(m, nn.Linear):
            arch.append(f"linear@{name}")
            tensors.append((f"{name}.weight", *_values(m.weight)))
            if m.bias is not None:
                tensors.append((f"{name}.bias", *_values(m.bias)))
        elif isinstance(m, nn.BatchNorm1d):
            if m.running_mean is None or m.running_var is None:
                raise LinregionsError(f"from_torch: {name}: batch norm without running statistics (track_running_stats=False)")
            if eps is not None and m.eps != eps:
                raise LinregionsError(f"from_torch: {name}: batch norms with different eps ({eps}, {m.eps})")
            eps = m.eps
            arch.append(f"bn@{name}")
            n = m.num_features
            weight = _values(m.weight) if m.weight is not None else ([n], [1.0] * n)
            bias = _values(m.bias) if m.bias is not None else ([n], [0.0] * n)
            tensors += [(f"{name}.weight", *weight), (f"{name}.bias", *bias),
                        (f"{name}.running_mean", *_values(m.running_mean)),
                        (f"{name}.running_var", *_values(m.running_var))]
        elif isinstance(m, nn.ReLU) or m == "relu":
            arch.append("relu")
        elif isinstance(m, nn.LeakyReLU):
            arch.append(f"leaky_relu:{Fraction(m.negative_slope)}")
        elif isinstance(m, tuple) and m[0] == "leaky_relu":
            arch.append(f"leaky_relu:{Fraction(m[1])}")
        elif isinstance(m, (nn.Dropout, nn.Identity)) or m == "identity":
            arch.append("identity")
        elif isinstance(m, nn.Flatten) or m == "flatten":
            if arch:
                raise LinregionsError(f"from_torch: {name}: Flatten after the first layer (image inputs: export ONNX)")
        else:
            kind = type(m).__name__ if not isinstance(m, str) else m
            raise LinregionsError(f"from_torch: {name}: {kind} is not supported (Linear, BatchNorm1d, ReLU, LeakyReLU, Dropout, Identity, Flatten first; CNNs: export ONNX)")
    if not arch:
        raise LinregionsError("from_torch: no layers")
    return tensors, ",".join(arch), 1e-5 if eps is None else eps


def via_onnx(model, input_shape) -> str:
    """The exact network of `model` through torch's ONNX exporter (a temporary file), as
    network JSON."""
    import os
    import tempfile

    import torch

    from . import _native

    was_training = model.training
    model.eval()
    x = torch.zeros((1, *tuple(input_shape)), dtype=next(model.parameters()).dtype)
    try:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "model.onnx")
            try:
                torch.onnx.export(model, (x,), path, dynamo=False)
            except TypeError:  # a torch without the dynamo switch
                torch.onnx.export(model, (x,), path)
            text, _ = _native.read_network(path)
            return text
    finally:
        model.train(was_training)
