#!/usr/bin/env python3
"""The ratio table of native/cpu-vs-torch.sh, from the files it collected in one directory:
deltaprop-ROUND-W.json (bench --json), torch-ROUND-W-POLICY.json (torch-peer.py lines) and
openblas-SHAPE.txt (openblas-sgemm output) and fma-peak.txt (fma-peak output). Per workload: each
side's best samples/s over the rounds (PyTorch: best of its two OpenMP wait policies too), their
ratio, and the spread of the per-round ratios; then wide's training GFLOP/s against OpenBLAS on the
same GEMMs, and every wide rate against the host's FMA peak, with what 1.2× PyTorch would need."""

import glob
import json
import os
import re
import sys


def samples_per_s(path, key="samples_per_s"):
    """The first object with `key` in a file of JSON (one object, an array, or one per line)."""
    text = open(path).read().strip()
    try:
        values = [json.loads(text)]
    except json.JSONDecodeError:
        values = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    flat = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    for v in flat:
        for obj in ([v] + list(v.get("results", [])) if isinstance(v, dict) else []):
            if isinstance(obj, dict) and key in obj:
                return obj
        # bench --json nests the workloads per backend
        for nested in v.values() if isinstance(v, dict) else []:
            if isinstance(nested, list):
                for obj in nested:
                    if isinstance(obj, dict) and key in obj:
                        return obj
    raise SystemExit(f"cpu-vs-torch: no {key} in {path}")


def main(directory, rounds, workloads):
    rounds = int(rounds)
    rows = []
    wide_gflops = None
    torch_wide_gflops = None
    for w in workloads.split(","):
        ours, theirs, ratios = [], [], []
        for r in range(1, rounds + 1):
            d = samples_per_s(os.path.join(directory, f"deltaprop-{r}-{w}.json"))
            t = max((samples_per_s(os.path.join(directory, f"torch-{r}-{w}-{policy}.json"))["samples_per_s"], policy)
                    for policy in ("ACTIVE", "PASSIVE"))
            ours.append(d["samples_per_s"])
            theirs.append(t)
            ratios.append(d["samples_per_s"] / t[0])
            if w == "wide":
                wide_gflops = max(wide_gflops or 0, d["gflops"])
                torch_wide_gflops = max([torch_wide_gflops or 0] + [
                    samples_per_s(os.path.join(directory, f"torch-{r}-{w}-{policy}.json"))["gflops"]
                    for policy in ("ACTIVE", "PASSIVE")])
        best_ours, best_theirs = max(ours), max(theirs)
        rows.append((w, best_ours, best_theirs[0], best_theirs[1], best_ours / best_theirs[0], min(ratios), max(ratios)))
    print()
    print(f"{'workload':<12}{'deltaprop cpu':>15}{'pytorch cpu':>14}  {'(OMP)':<9}{'ratio':>7}   per-round ratios")
    for w, ours, theirs, policy, ratio, low, high in rows:
        print(f"{w:<12}{ours:>15,.0f}{theirs:>14,.0f}  {policy:<9}{ratio:>6.2f}×   {low:.2f}–{high:.2f}")
    flops = seconds = 0.0
    kernels = set()
    for path in sorted(glob.glob(os.path.join(directory, "openblas-*.txt"))):
        shape = re.search(r"openblas-(\d+)x(\d+)x(\d+):", path)
        text = open(path).read()
        rate = re.search(r"([\d.]+) GFLOP/s", text)
        kernels.update(re.findall(r"threads, (\S+) kernels", text))
        if shape and rate:
            m, n, k = map(int, shape.groups())
            flops += 2.0 * m * n * k
            seconds += 2.0 * m * n * k / (float(rate.group(1)) * 1e9)
    ceiling = flops / seconds / 1e9 if seconds > 0 else None
    if wide_gflops is not None and ceiling:
        names = "/".join(sorted(kernels)) or "?"
        print(f"wide: deltaprop cpu {wide_gflops:.1f} GFLOP/s per training step, OpenBLAS ({names} kernels) {ceiling:.1f} GFLOP/s "
              f"on the same GEMMs: {100 * wide_gflops / ceiling:.0f} % (goal ≥ 85 %)")
    peak_path = os.path.join(directory, "fma-peak.txt")
    peak = re.search(r"(.*) FMA peak, (\d+) threads: ([\d.]+) GFLOP/s", open(peak_path).read()) if os.path.exists(peak_path) else None
    if wide_gflops is not None and torch_wide_gflops and peak:
        rate = float(peak.group(3))
        share = lambda g: f"{100 * g / rate:.0f} %"
        print(f"wide against the {peak.group(1)} FMA peak on {peak.group(2)} threads, {rate:.1f} GFLOP/s: deltaprop cpu {share(wide_gflops)}, "
              + (f"OpenBLAS's bare GEMMs {share(ceiling)}, " if ceiling else "")
              + f"PyTorch {share(torch_wide_gflops)}; 1.2× PyTorch would be {1.2 * torch_wide_gflops:.1f} GFLOP/s, "
              f"{share(1.2 * torch_wide_gflops)} of the peak for the whole step")


if __name__ == "__main__":
    main(*sys.argv[1:4])
