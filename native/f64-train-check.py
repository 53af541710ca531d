#!/usr/bin/env python3
"""f64-train-check.py — `deltaprop train` on any backend against an independent float64 SGD (numpy).

Writes a 2-33-7-2 model (tanh, tanh, identity; weights drawn here, rounded to float32) and
257 samples, then — given model files that `deltaprop train` saved from them — runs the same
minibatch SGD in float64 (DESIGN.md §1: U = Z W + b, Δ^L = (Y − D) ⊙ f'(U), Δ^l = (Δ^{l+1} W^{l+1}ᵀ)
⊙ f'(U^l), W −= (η/B_k) Zᵀ Δ, b −= (η/B_k) Σ Δ; the last batch of 7 uses its own mean) and prints
‖a − b‖ / ‖b‖ over all parameters for each file. Bound for fp32 devices: 1e-4.

    cd some/folder
    python3 native/f64-train-check.py                      # writes init.json and data.csv
    for b in reference opencl opencl-lwjgl; do
      java -jar target/deltaprop.jar train --backend $b --data data.csv --init init.json \
           --epochs 1 --batch 25 --lr 0.1 --no-shuffle --save t-$b.json
    done
    python3 native/f64-train-check.py t-reference.json t-opencl.json t-opencl-lwjgl.json
"""
import json
import math
import random
import sys

import numpy as np

WIDTHS = [2, 33, 7, 2]
ACTIVATIONS = ["tanh", "tanh", "identity"]
ETA, BATCH, SAMPLES = 0.1, 25, 257
BOUND = 1e-4


def write_inputs():
    rng = np.random.default_rng(11)
    layers = []
    for l in range(3):
        w = rng.normal(0, 1 / np.sqrt(WIDTHS[l]), size=(WIDTHS[l] + 1, WIDTHS[l + 1])).astype(np.float32)
        layers.append({"inputs": WIDTHS[l], "outputs": WIDTHS[l + 1], "activation": ACTIVATIONS[l],
                       "weights": w.tolist()})  # row 0 is the bias
    json.dump({"format": "deltaprop-mlp", "version": 1, "loss": "squared_error", "layers": layers},
              open("init.json", "w"))
    random.seed(3)
    with open("data.csv", "w") as f:
        for _ in range(SAMPLES):
            x, y = random.uniform(-3, 3), random.uniform(-1, 1)
            f.write(f"{x},{y},{math.sin(x) * math.cos(y)},{0.5 * x - y}\n")


def train_float64():
    data = np.loadtxt("data.csv", delimiter=",").astype(np.float32).astype(np.float64)
    x_all, d_all = data[:, :2], data[:, 2:]
    w = [np.array(l["weights"], dtype=np.float64) for l in json.load(open("init.json"))["layers"]]
    f = {"tanh": np.tanh, "identity": lambda u: u}
    df = {"tanh": lambda u: 1 - np.tanh(u) ** 2, "identity": np.ones_like}
    for offset in range(0, SAMPLES, BATCH):
        x, d = x_all[offset:offset + BATCH], d_all[offset:offset + BATCH]
        z, u = [x], []
        for l in range(3):
            u.append(z[-1] @ w[l][1:] + w[l][0])
            z.append(f[ACTIVATIONS[l]](u[-1]))
        delta = [None] * 3
        delta[2] = (z[3] - d) * df[ACTIVATIONS[2]](u[2])
        for l in (1, 0):  # from W^{l+1} before it is updated
            delta[l] = (delta[l + 1] @ w[l + 1][1:].T) * df[ACTIVATIONS[l]](u[l])
        for l in range(3):
            w[l][1:] -= ETA / len(x) * z[l].T @ delta[l]
            w[l][0] -= ETA / len(x) * delta[l].sum(axis=0)
    return np.concatenate([m.ravel() for m in w])


def main(files):
    if not files:
        write_inputs()
        print("wrote init.json and data.csv")
        return 0
    expected = train_float64()
    worst = 0.0
    for name in files:
        got = np.concatenate([np.array(l["weights"], dtype=np.float64).ravel()
                              for l in json.load(open(name))["layers"]])
        error = np.linalg.norm(got - expected) / np.linalg.norm(expected)
        worst = max(worst, error if np.isfinite(error) else math.inf)
        print(f"{name}: ‖a−b‖/‖b‖ = {error:.3e} against float64 numpy ({expected.size} parameters, "
              f"{-(-SAMPLES // BATCH)} steps)")
    return 0 if worst <= BOUND else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
