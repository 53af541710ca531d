#!/usr/bin/env python3
"""gpu-table.py — the records and the last table of native/gpu-check.sh. Standard library only.

  gpu-table.py record FILE --step N --name NAME --exit RC --command CMD < OUTPUT
      appends {step, name, exit, command, report} to the JSON array in FILE, where report is the
      first JSON object or array in OUTPUT (a launcher's line before it is skipped; null if none,
      with the output's last lines instead)
  gpu-table.py table OUT_DIR [BACKEND...]
      reads OUT_DIR/bench.json and OUT_DIR/peer.json and prints, per backend (default cuda), one
      row per workload: deltaprop against its peer of the same run, the ratio and the issue's
      target (reported, not asserted), each figure marked with the step whose command
      reproduces it; the commands are listed first, so that the table is the last thing printed.
      A `graphs-off` record (tiny with -Ddeltaprop.graphs=false) adds a launch-cost row: its
      µs per step beside the graphs-on run's, and the difference, what the CUDA graph saves.

Like with like: deltaprop's training rows are `bench --data device` (the batch resident on the
device, the loss read back each step, as Backend.step returns it); the PyTorch peer has x on the
device too, once with loss.item() each step (the like-for-like column) and once with the loss
left on the device (what a PyTorch loop usually does). The GEMM row is deltaprop's forward kernel
against cuBLAS SGEMM (fp32, TF32 off) and, listed beside it, cuBLAS with TF32 on.
"""

import json
import os
import re
import sys

# the targets for the first GPU run (report, do not assert)
TARGETS = {"tiny": 10.0, "mnist": 2.0, "mnist-adam": None, "wide": 1.0, "gemm": 0.9}
TRAINING = ["tiny", "mnist", "mnist-adam", "wide"]


def first_json(text):
    """The first JSON object or array in text, or None."""
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[{\[]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, (dict, list)) and value:
            return value
    return None


def record(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="gpu-table.py record")
    parser.add_argument("file")
    parser.add_argument("--step", type=int, required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--exit", type=int, required=True)
    parser.add_argument("--command", required=True)
    args = parser.parse_args(argv)
    text = sys.stdin.read()
    entry = {"step": args.step, "name": args.name, "exit": args.exit, "command": args.command,
             "report": first_json(text)}
    if entry["report"] is None:
        entry["output_tail"] = text.splitlines()[-12:]
    entries = load(args.file) or []
    entries.append(entry)
    with open(args.file + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(entries, handle, indent=1)
    os.replace(args.file + ".tmp", args.file)


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def fmt(number, digits=1):
    if number is None:
        return "?"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    return f"{number:,.{digits}f}"


def ratio(mine, theirs):
    return mine / theirs if mine and theirs else None


def deltaprop_rows(benches, backend):
    """workload → (figures, step) from the bench records of backend (sweeps left out)."""
    rows = {}
    for entry in benches:
        report = entry.get("report")
        if not isinstance(report, dict) or report.get("backend") != backend or entry["name"].startswith(("sweep", "graphs-off")):
            continue
        for workload in report.get("workloads", []):
            workload["data"] = report.get("data", "host")
            workload["device"] = report.get("device")
            rows[workload["workload"]] = (workload, entry["step"])
    return rows


def peer_rows(peers):
    rows = {}
    for entry in peers:
        report = entry.get("report")
        for item in report if isinstance(report, list) else []:
            if isinstance(item, dict) and "workload" in item:
                rows[item["workload"]] = (item, entry["step"])
    return rows


def table(folder, backends):
    benches = load(os.path.join(folder, "bench.json")) or []
    peers = load(os.path.join(folder, "peer.json")) or []
    commands = {e["step"]: e["command"] for e in benches + peers}
    if commands:
        print("figures come from these steps (run from the project root to reproduce one):")
        for step in sorted(commands):
            print(f"  [{step}] {commands[step]}")
    theirs_by_workload = peer_rows(peers)
    device = next((p.get("device") for p, _ in theirs_by_workload.values() if p.get("device")), None)
    for backend in backends:
        ours_by_workload = deltaprop_rows(benches, backend)
        ours_device = next((w.get("device") for w, _ in ours_by_workload.values()), "?")
        print()
        print(f"deltaprop on {backend} ({ours_device}) against its peers"
              f"{' on ' + device if device else ' (no peer ran)'}, fp32, same run; target = the issue's, reported only")
        header = ("workload", "deltaprop", "peer: like with like", "ratio", "target",
                  "peer: other", "ratio", "notes")
        rows = []
        for workload in TRAINING:
            ours, our_step = ours_by_workload.get(workload, ({}, None))
            peer, peer_step = theirs_by_workload.get(workload, ({}, None))
            if not ours and not peer:
                continue
            mine = ours.get("samples_per_s")
            like = peer.get("samples_per_s_loss_to_host")
            other = peer.get("samples_per_s")
            r = ratio(mine, like)
            target = TARGETS.get(workload)
            verdict = "" if r is None or target is None else (" meets" if r >= target else " MISSES")
            notes = []
            if ours:
                notes.append(f"deltaprop {fmt(ours.get('us_per_step'))} µs/step, "
                             f"{fmt(ours.get('launches_per_step'), 0)} launches, data {ours.get('data')}")
            if peer:
                notes.append(f"PyTorch {fmt(peer.get('us_per_step_loss_to_host'))} µs/step with loss.item()")
            rows.append((workload,
                         f"{fmt(mine)} samples/s [{our_step}]" if ours else "not measured",
                         f"{fmt(like)} (x on device, loss.item() each step) [{peer_step}]" if peer else "not measured",
                         "?" if r is None else f"{r:.2f}×",
                         "-" if target is None else f"≥ {target:g}×{verdict}",
                         f"{fmt(other)} (loss left on device) [{peer_step}]" if peer else "-",
                         "?" if ratio(mine, other) is None else f"{ratio(mine, other):.2f}×",
                         "; ".join(notes)))
        for workload, (ours, our_step) in sorted(ours_by_workload.items()):
            if ours.get("kind") != "gemm":
                continue
            peer, peer_step = theirs_by_workload.get(workload, ({}, None))
            families = ours.get("families", {})
            mine = families.get("forward", {}).get("gflops") or ours.get("gflops")
            sgemm, tf32 = peer.get("gflops"), peer.get("gflops_tf32")
            r = ratio(mine, sgemm)
            verdict = "" if r is None else (" meets" if r >= TARGETS["gemm"] else " MISSES")
            rows.append((workload,
                         f"{fmt(mine)} GFLOP/s forward [{our_step}]",
                         f"{fmt(sgemm)} cuBLAS SGEMM fp32 [{peer_step}]" if peer else "not measured",
                         "?" if r is None else f"{r:.2f}×",
                         f"≥ {TARGETS['gemm']:g}×{verdict}",
                         f"{fmt(tf32)} cuBLAS TF32 [{peer_step}]" if peer else "-",
                         "?" if ratio(mine, tf32) is None else f"{ratio(mine, tf32):.2f}×",
                         f"{fmt(ours.get('us_per_step'))} µs per predict"))
        for entry in benches:
            report = entry.get("report")
            if not entry["name"].startswith("graphs-off") or not isinstance(report, dict) or report.get("backend") != backend:
                continue
            for w in report.get("workloads", []):
                on, on_step = ours_by_workload.get(w["workload"], ({}, None))
                off_us, on_us = w.get("us_per_step"), on.get("us_per_step")
                saved = None if off_us is None or on_us is None else off_us - on_us
                if "CUDA graphs:" not in str(on.get("device", "")):
                    # the backend has no graphs (OpenCL, a dry run): both runs launched directly, the gap is noise
                    rows.append((w["workload"] + " graphs off", f"{fmt(off_us)} µs/step [{entry['step']}]",
                                 f"{fmt(on_us)} µs/step [{on_step}]" if on else "not measured", "-", "launch cost", "", "",
                                 "no graphs on this backend: both runs launched directly"))
                    continue
                rows.append((w["workload"] + " graphs off", f"{fmt(off_us)} µs/step [{entry['step']}]",
                             f"{fmt(on_us)} µs/step graphs on [{on_step}]" if on else "not measured",
                             "?" if ratio(off_us, on_us) is None else f"{ratio(off_us, on_us):.2f}×",
                             "launch cost", "", "",
                             "?" if saved is None else f"the graph saves {fmt(saved)} µs per step "
                             f"({fmt(w.get('launches_per_step'), 0)} launches)"))
        sweeps = [e for e in benches if e["name"].startswith("sweep") and isinstance(e.get("report"), dict)]
        for entry in sweeps:
            for w in entry["report"].get("workloads", []):
                mine = w.get("families", {}).get("forward", {}).get("gflops") or w.get("gflops")
                sgemm = theirs_by_workload.get(w["workload"], ({}, None))[0].get("gflops")
                rows.append((w["workload"] + " " + entry["name"][len("sweep "):], f"{fmt(mine)} GFLOP/s [{entry['step']}]",
                             "(as above)", "?" if ratio(mine, sgemm) is None else f"{ratio(mine, sgemm):.2f}×",
                             "tuning", "", "", "not part of the verdict"))
        if not rows:
            print("  nothing was measured")
            continue
        widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header) - 1)]
        print("  ".join(h.ljust(widths[i]) for i, h in enumerate(header[:-1])) + "  " + header[-1])
        for row in rows:
            print("  ".join(str(row[i]).ljust(widths[i]) for i in range(len(header) - 1)) + "  " + row[-1])


def main(argv):
    if argv and argv[0] == "record":
        record(argv[1:])
    elif argv and argv[0] == "table" and len(argv) >= 2:
        table(argv[1], argv[2:] or ["cuda"])
    else:
        raise SystemExit("usage: gpu-table.py record FILE --step N --name NAME --exit RC --command CMD < OUTPUT\n"
                         "       gpu-table.py table OUT_DIR [BACKEND...]")


if __name__ == "__main__":
    main(sys.argv[1:])
