#!/usr/bin/env python3
"""gpu-table.py — the last table of native/gpu-check.sh: deltaprop on cuda against its peers.

Usage: gpu-table.py LOG_DIR [BACKEND...]   (default backend: cuda)

Reads, from the log folder, `bench-<backend>-<workload>.json` (the output of
`deltaprop bench --backend <backend> --workload <workload> --json`) and `peer.json` (the output of
`native/torch-peer.py --json`), and prints, per backend, one row per workload with the
deltaprop / peer ratio and the issue's target next to it:

  gemm-4096     forward kernel GFLOP/s ÷ cuBLAS SGEMM GFLOP/s   (target ≥ 0.70)
  mnist, wide   samples/s ÷ PyTorch eager fp32 samples/s         (target ≥ 1.00)
  mnist-adam    samples/s ÷ PyTorch eager fp32 (Adam, cross entropy) (no target set)
  tiny          samples/s ÷ PyTorch eager, with µs and launches per step (the number to beat)

deltaprop's JSON is read by the meaning of its keys (samples per second, µs per step, launches
per step, GFLOP/s of the forward family), wherever they sit in it, so that the table does not
depend on the exact layout `bench` chose; a figure it cannot find is shown as '?'.
Standard library only.
"""

import json
import os
import re
import sys

TARGETS = {"gemm-4096": 0.70, "mnist": 1.0, "wide": 1.0, "mnist-adam": None, "tiny": None}
ORDER = ["tiny", "mnist", "wide", "mnist-adam", "gemm-4096"]


def leaves(value, path=()):
    """(key path, number) for every number in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, path + (str(key),))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, path + (str(index),))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, float(value)


def normal(text):
    return re.sub(r"[^a-z0-9]", "", text.lower())


def find(document, *patterns, within=None):
    """The first number whose joined, normalised key path matches every pattern (regex)."""
    for path, number in leaves(document):
        key = normal("/".join(path))
        if within is not None and not re.search(within, key):
            continue
        if all(re.search(p, key) for p in patterns):
            return number
    return None


def deltaprop_figures(document):
    return {
        "samples_per_s": find(document, r"samples(per)?s(ec(ond)?)?$") or find(document, r"samples(per)?s"),
        "us_per_step": find(document, r"(us|micros|microseconds)(per)?step"),
        "launches_per_step": find(document, r"launches(per)?step"),
        "forward_gflops": find(document, r"gflop", within=r"forward"),
        "gflops": find(document, r"gflop"),
    }


def load_json(path):
    """The first JSON object or array in the file (a launcher's line before it is skipped)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[{\[]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, (dict, list)) and value:
            return value
    return None


def fmt(number, digits=1):
    if number is None:
        return "?"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:,.{digits}f}"


def main(folder, backend):
    peers = peers_of(folder)
    rows = []
    for workload in ORDER:
        bench = load_json(os.path.join(folder, f"bench-{backend}-{workload}.json"))
        ours = deltaprop_figures(bench) if bench is not None else {}
        peer = peers.get(workload, {})
        if workload.startswith("gemm-"):
            mine, theirs, unit = ours.get("forward_gflops") or ours.get("gflops"), peer.get("gflops"), "GFLOP/s"
            peer_name = "cuBLAS SGEMM"
        else:
            mine, theirs, unit = ours.get("samples_per_s"), peer.get("samples_per_s"), "samples/s"
            peer_name = "PyTorch eager"
        ratio = mine / theirs if mine and theirs else None
        target = TARGETS.get(workload)
        verdict = "" if ratio is None or target is None else ("meets" if ratio >= target else "MISSES")
        extra = ""
        if workload == "tiny":
            extra = (f"deltaprop {fmt(ours.get('us_per_step'))} µs/step, {fmt(ours.get('launches_per_step'), 0)} launches/step;"
                     f" PyTorch {fmt(peer.get('us_per_step'))} µs/step")
        rows.append((workload, unit, fmt(mine), peer_name, fmt(theirs), "?" if ratio is None else f"{ratio:.2f}",
                     "-" if target is None else f"≥ {target:.2f} {verdict}".strip(), extra,
                     "" if bench is not None else "no bench output"))
    device = next((p.get("device") for p in peers.values() if p.get("device")), "?")
    print(f"deltaprop ({backend}) against its peers on {device}, fp32, TF32 off (same run)")
    header = ("workload", "unit", "deltaprop", "peer", "peer value", "ratio", "target", "notes")
    widths = [max(len(str(r[i])) for r in rows + [header + ("",)]) for i in range(7)]
    print("  ".join(h.ljust(widths[i]) for i, h in enumerate(header[:7])) + "  notes")
    for row in rows:
        notes = "; ".join(n for n in row[7:] if n)
        print("  ".join(str(row[i]).ljust(widths[i]) for i in range(7)) + "  " + notes)


def sweep(folder, peers):
    """The forward GEMM at other tile profiles (gpu-check's sweep-*.json), against cuBLAS."""
    files = sorted(f for f in os.listdir(folder) if f.startswith("sweep-") and f.endswith(".json"))
    if not files:
        return
    cublas = peers.get("gemm-4096", {}).get("gflops")
    print("\ntile sweep, gemm-4096 forward (compiled at run time by NVRTC; tuning data, not a verdict)")
    for name in files:
        document = load_json(os.path.join(folder, name))
        figures = deltaprop_figures(document) if document is not None else {}
        mine = figures.get("forward_gflops") or figures.get("gflops")
        ratio = f"{mine / cublas:.2f} of cuBLAS" if mine and cublas else "?"
        print(f"  {name[len('sweep-'):-len('.json')]:<36} {fmt(mine):>10} GFLOP/s  {ratio}")


def peers_of(folder):
    document = load_json(os.path.join(folder, "peer.json"))
    if isinstance(document, list):
        return {item.get("workload"): item for item in document if isinstance(item, dict)}
    return {}


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: gpu-table.py LOG_DIR [BACKEND...]")
    sweep(sys.argv[1], peers_of(sys.argv[1]))
    for index, name in enumerate(sys.argv[2:] or ["cuda"]):
        print()
        main(sys.argv[1], name)
