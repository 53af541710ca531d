#!/usr/bin/env python3
"""Writes the ONNX test fixtures under src/test/resources/onnx/ with PyTorch's own exporter.

Each model NAME gets NAME.onnx (torch.onnx.export, input 'x', output 'y', a dynamic batch
dimension), NAME-x.npy (float32 inputs, flattened to (N, n_0) as deltaprop reads them) and
NAME-y.npy (what PyTorch computed for them, float32 (N, n_L)). OnnxTorchFilesTest reads the
models with ModelFiles.readOnnx and checks its predictions against NAME-y.npy; refused-*.onnx
must be refused naming the node and op.

Run once, with Debian's python3-torch (1.13): /usr/bin/python3 native/make-onnx-fixtures.py
The files are committed; CI does not need PyTorch.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "onnx")


class MatMulAdd(nn.Module):
    """u = x @ W + b written out, which torch exports as MatMul then Add (not Gemm); the second
    layer adds the bias on the left, b + h @ W, to check that the Add's operand order is free."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(4, 6))
        self.b1 = nn.Parameter(torch.randn(6))
        self.w2 = nn.Parameter(torch.randn(6, 3))
        self.b2 = nn.Parameter(torch.randn(3))

    def forward(self, x):
        h = torch.tanh(x @ self.w1 + self.b1)
        return self.b2 + h @ self.w2


class Exp(nn.Module):
    """A layer followed by an op that is not an MLP activation: must be refused, naming Exp."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 2)

    def forward(self, x):
        return torch.exp(self.linear(x))


def models():
    """(name, module, sample input shape, opset, keep initializers as inputs)"""
    yield "linear_tanh", nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)), (4,), 17, False
    yield "linear_relu_sigmoid", nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 2), nn.Sigmoid()), (5,), 13, False
    yield ("linear_leaky_softplus",
           nn.Sequential(nn.Linear(3, 6), nn.LeakyReLU(0.01), nn.Linear(6, 6), nn.Softplus(), nn.Linear(6, 1)),
           (3,), 17, False)
    yield ("flatten_softmax",
           nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softmax(dim=-1)),
           (1, 2, 3), 11, True)
    yield "matmul_add", MatMulAdd(), (4,), 17, False
    yield "no_bias", nn.Sequential(nn.Linear(4, 3, bias=False), nn.Sigmoid(), nn.Linear(3, 2)), (4,), 17, False
    yield "refused_exp", Exp(), (3,), 17, False


def main():
    os.makedirs(OUT, exist_ok=True)
    for index, (name, module, shape, opset, keep_initializers) in enumerate(models()):
        torch.manual_seed(1000 + index)
        for parameter in module.parameters():
            with torch.no_grad():
                parameter.copy_(torch.randn_like(parameter) * 0.7)
        module.eval()
        x = torch.randn(5, *shape)
        with torch.no_grad():
            y = module(x)
        torch.onnx.export(module, (x,), os.path.join(OUT, name + ".onnx"),
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                          opset_version=opset, keep_initializers_as_inputs=keep_initializers,
                          do_constant_folding=True)
        if not name.startswith("refused"):
            np.save(os.path.join(OUT, name + "-x.npy"), x.reshape(x.shape[0], -1).numpy().astype("<f4"))
            np.save(os.path.join(OUT, name + "-y.npy"), y.numpy().astype("<f4"))
        print(name, "opset", opset, "x", tuple(x.shape), "y", tuple(y.shape))
    print("torch", torch.__version__, "numpy", np.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
