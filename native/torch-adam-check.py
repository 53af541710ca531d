#!/usr/bin/env python3
"""torch-adam-check.py — `deltaprop train --optimizer adam` on each backend against torch.optim.Adam.

Writes a 5-17-4 softmax classifier (tanh hidden layer, cross entropy; weights drawn here and rounded
to float32) and 45 samples with one-hot teachers, runs

    java -jar target/deltaprop.jar train --backend B --data data.csv --init init.json \\
         --optimizer adam --lr 0.01 --epochs 3 --batch 8 --no-shuffle --save out-B.json

for B in reference, cpu and opencl (a backend that cannot start here is reported and skipped), and
trains the same model on the same data in float64 PyTorch: nn.Linear layers holding the same
weights, the batch mean of −Σ_j d_j log softmax(u)_j (DESIGN §1b's cross entropy), and
torch.optim.Adam with the same η, β₁, β₂ and ε (PyTorch's defaults, which are deltaprop's). 18 steps,
the last batch of each epoch 5 samples, each with its own mean. It prints ‖a − b‖ / ‖b‖ over all
parameters for each backend against the float64 PyTorch result, and exits non-zero when one misses
its target: 1e-5 on reference (float32 parameters, double arithmetic), 1e-3 on the float32 backends.

Needs numpy and PyTorch (Debian: apt-get install -y python3-torch) and a built jar
(mvn -q -DskipTests package).

Usage: python3 native/torch-adam-check.py [--jar target/deltaprop.jar] [--backends reference,cpu,opencl]
                                          [--optimizer adam|adamw] [--keep DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

WIDTHS = [5, 17, 4]
ACTIVATIONS = ["tanh", "softmax"]
SAMPLES, BATCH, EPOCHS, ETA = 45, 8, 3, 0.01
TARGETS = {"reference": 1e-5}
DEFAULT_TARGET = 1e-3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_inputs(folder):
    rng = np.random.default_rng(20261201)
    layers = []
    for l in range(len(ACTIVATIONS)):
        w = rng.normal(0, 1 / np.sqrt(WIDTHS[l]), size=(WIDTHS[l] + 1, WIDTHS[l + 1])).astype(np.float32)
        layers.append({"inputs": WIDTHS[l], "outputs": WIDTHS[l + 1], "activation": ACTIVATIONS[l],
                       "weights": w.tolist()})  # row 0 is the bias
    with open(os.path.join(folder, "init.json"), "w") as f:
        json.dump({"format": "deltaprop-mlp", "version": 2, "loss": "cross_entropy", "layers": layers}, f)
    x = rng.uniform(-1, 1, size=(SAMPLES, WIDTHS[0])).astype(np.float32)
    classes = rng.integers(0, WIDTHS[-1], size=SAMPLES)
    d = np.eye(WIDTHS[-1], dtype=np.float32)[classes]  # one-hot: a teacher part of K columns is taken as it is
    with open(os.path.join(folder, "data.csv"), "w") as f:
        for s in range(SAMPLES):
            f.write(",".join(repr(float(v)) for v in np.concatenate([x[s], d[s]])) + "\n")
    return x.astype(np.float64), d.astype(np.float64)


def train_torch(torch, folder, x, d, optimizer_name, weight_decay):
    layers = json.load(open(os.path.join(folder, "init.json")))["layers"]
    linear = []
    for layer in layers:
        w = torch.tensor(layer["weights"], dtype=torch.float64)
        module = torch.nn.Linear(layer["inputs"], layer["outputs"]).double()
        with torch.no_grad():
            module.weight.copy_(w[1:].T)  # torch keeps W as (n_out, n_in)
            module.bias.copy_(w[0])
        linear.append(module)
    parameters = [p for m in linear for p in (m.weight, m.bias)]
    rule = torch.optim.AdamW if optimizer_name == "adamw" else torch.optim.Adam
    optimizer = rule(parameters, lr=ETA, betas=(0.9, 0.999), eps=1e-8, weight_decay=weight_decay)
    xs, ds = torch.tensor(x), torch.tensor(d)
    for _ in range(EPOCHS):
        for offset in range(0, SAMPLES, BATCH):
            xb, db = xs[offset:offset + BATCH], ds[offset:offset + BATCH]
            u = linear[1](torch.tanh(linear[0](xb)))
            loss = -(db * torch.log_softmax(u, dim=1)).sum(dim=1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    flat = []
    for m in linear:  # in the model file's order: per layer, the bias row then the rows of W
        flat.append(torch.cat([m.bias.detach()[None, :], m.weight.detach().T]).numpy().ravel())
    return np.concatenate(flat)


def train_deltaprop(jar, folder, backend, optimizer_name, weight_decay):
    out = os.path.join(folder, f"out-{backend}.json")
    command = ["java", "-jar", jar, "train", "--backend", backend, "--data", os.path.join(folder, "data.csv"),
               "--init", os.path.join(folder, "init.json"), "--optimizer", optimizer_name, "--lr", str(ETA),
               "--epochs", str(EPOCHS), "--batch", str(BATCH), "--no-shuffle", "--save", out]
    if weight_decay is not None:
        command += ["--weight-decay", str(weight_decay)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        return None, (run.stderr.strip().splitlines() or ["exit " + str(run.returncode)])[-1]
    layers = json.load(open(out))["layers"]
    return np.concatenate([np.array(l["weights"], dtype=np.float64).ravel() for l in layers]), None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jar", default=os.path.join(ROOT, "target", "deltaprop.jar"))
    parser.add_argument("--backends", default="reference,cpu,opencl")
    parser.add_argument("--optimizer", default="adam", choices=["adam", "adamw"])
    parser.add_argument("--keep", help="write the files here and keep them (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.jar):
        raise SystemExit(f"torch-adam-check: {args.jar} not found; build it with mvn -q -DskipTests package")
    import torch  # here, so that --help works without PyTorch

    weight_decay = 0.01 if args.optimizer == "adamw" else None
    folder = args.keep or tempfile.mkdtemp(prefix="torch-adam-check-")
    os.makedirs(folder, exist_ok=True)
    x, d = write_inputs(folder)
    expected = train_torch(torch, folder, x, d, args.optimizer, 0.0 if weight_decay is None else weight_decay)
    steps = EPOCHS * -(-SAMPLES // BATCH)
    initial = np.concatenate([np.array(l["weights"], dtype=np.float64).ravel()
                              for l in json.load(open(os.path.join(folder, "init.json")))["layers"]])
    moved = np.linalg.norm(expected - initial) / np.linalg.norm(expected)
    print(f"torch {torch.__version__} float64 torch.optim.{'AdamW' if args.optimizer == 'adamw' else 'Adam'}"
          f" (lr {ETA}, betas (0.9, 0.999), eps 1e-8, weight decay {weight_decay or 0}); {WIDTHS} tanh/softmax,"
          f" cross entropy, {SAMPLES} samples, batch {BATCH}, {steps} steps; files in {folder}")
    print(f"training moved the parameters by ‖w − w₀‖/‖w‖ = {moved:.3e}, the scale the errors below are measured against")
    failed = False
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        got, reason = train_deltaprop(args.jar, folder, backend, args.optimizer, weight_decay)
        if got is None:
            print(f"{backend:>10}: not run: {reason}")
            failed = failed or backend == "reference"
            continue
        error = np.linalg.norm(got - expected) / np.linalg.norm(expected)
        target = TARGETS.get(backend, DEFAULT_TARGET)
        verdict = "meets" if error <= target else "MISSES"
        failed = failed or not error <= target
        print(f"{backend:>10}: ‖a−b‖/‖b‖ = {error:.3e} against PyTorch ({expected.size} parameters);"
              f" target {target:.0e}: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
