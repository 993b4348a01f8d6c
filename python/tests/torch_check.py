"""from_torch with real torch (not in CI: torch is a 5 GB install). Run by hand:
    pip install ./python torch && python python/tests/torch_check.py
Checks an nn.Sequential and a traced custom module (BatchNorm1d, LeakyReLU, Dropout) against
torch's own float64 outputs at random points."""
from fractions import Fraction

import torch
from torch import nn
import torch.nn.functional as F

import linregions as lr


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.bn1, self.fc2, self.fc3 = nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Linear(8, 8), nn.Linear(8, 3)

    def forward(self, x):
        h = F.leaky_relu(self.bn1(self.fc1(x)), 0.1)
        return self.fc3(torch.relu(self.fc2(F.dropout(h, 0.2, self.training))))


torch.manual_seed(0)
seq = nn.Sequential(nn.Flatten(), nn.Linear(3, 8), nn.BatchNorm1d(8), nn.LeakyReLU(0.1), nn.Dropout(0.2),
                    nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))
for model in (seq, Custom()):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm1d):
                m.running_mean.copy_(torch.randn(8) * 0.1)
                m.running_var.copy_(torch.rand(8) + 0.5)
    model.eval()
    net = lr.Network.from_torch(model)
    x = torch.rand(20, 3, dtype=torch.float64) * 2 - 1
    with torch.no_grad():
        y = model.double()(x)
    worst = 0.0
    for xi, yi in zip(x.tolist(), y.tolist()):
        r = net.inspect(xi)
        out = r.logits([Fraction(v) for v in xi])
        worst = max(worst, max(abs(float(o) - t) / (1 + abs(t)) for o, t in zip(out, yi)))
    assert worst < 1e-12, worst
    print(f"{type(model).__name__}: {len(net.layers)} layers, 20 points, worst relative difference {worst:.1e}")


# Through ONNX: a CNN with max pooling and a residual MLP (float32 weights; ONNX stores
# float32 attributes, so the tolerance is float32's).
class MaxCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 2, 3, padding=1), nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(torch.flatten(F.max_pool2d(torch.relu(self.conv(x)), 2), 1))


class Res(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc0, self.fc1, self.fc2, self.out = nn.Linear(2, 8), nn.Linear(8, 8), nn.Linear(8, 8), nn.Linear(8, 1)

    def forward(self, x):
        h = torch.relu(self.fc0(x))
        return self.out(torch.relu(h + self.fc2(torch.relu(self.fc1(h)))))


for model, shape in ((MaxCnn(), (1, 4, 4)), (Res(), (2,))):
    model.eval()
    net = lr.Network.from_torch(model, input_shape=shape)
    x = torch.rand(10, *shape) * 2 - 1
    with torch.no_grad():
        y = model.double()(x.double())
    worst = 0.0
    for xi, yi in zip(x.reshape(10, -1).double().tolist(), y.tolist()):
        out = net.inspect(xi).logits([Fraction(v) for v in xi])
        worst = max(worst, max(abs(float(o) - t) / (1 + abs(t)) for o, t in zip(out, yi)))
    assert worst < 1e-12, worst
    print(f"{type(model).__name__} (via ONNX): {net.input_dim} inputs, worst relative difference {worst:.1e}")
print("ok")
