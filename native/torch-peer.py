#!/usr/bin/env python3
"""torch-peer.py — the side-by-side peers of deltaprop's CUDA benchmark, in PyTorch on the same GPU.

For each of deltaprop's `bench` workloads it times what a PyTorch user would write, in fp32 with
TF32 off (so that both sides do the same arithmetic):

  tiny       32-64-64-1,          tanh, identity out, B=1024
  mnist      784-512-512-10,      relu, identity out, B=256
  wide       1024-2048-2048-1024, relu, identity out, B=512
  mnist-adam 784-512-512-10,      relu, softmax out with cross entropy, Adam, B=256
  gemm-N     C = A·B, N³ fp32: cuBLAS SGEMM through torch.matmul (the ceiling for deltaprop's
             forward kernel, which the bench times alone on the same shape), and the same product
             with TF32 allowed (cuBLAS on the tensor cores, 10-bit mantissas: listed beside it,
             since that is what PyTorch gives a user who sets allow_tf32)

A training step is eager PyTorch: nn.Linear layers, the loss with deltaprop's batch-mean
semantics (DESIGN §1: E_b = ½ Σ_j (y_bj − d_bj)², loss = (1/B) Σ_b E_b, so ∂loss/∂y = (y − d)/B;
torch's MSELoss would be (1/(B·n_out)) Σ (y − d)², twice the gradient over n_out), backward, and
torch.optim.SGD (no momentum). mnist-adam is the classifier: torch.nn.functional.cross_entropy on
the logits (the batch mean of −log softmax(u)_class, DESIGN §1b's cross entropy with one-hot
teachers) and torch.optim.Adam with its defaults, as deltaprop's `bench --workload mnist-adam`.
The batch is one fixed-seed random batch (random class labels for mnist-adam) reused every step,
as in deltaprop's bench. FLOPs per step count as the bench does: 2·B·Σ n_in·n_out forward, the same for
the weight gradients, and 2·B·Σ n_in·n_out over every layer but the first for δ.

Timing: warm-up steps, then R repeats of N steps between two CUDA events; the per-step time is
the median over repeats. x and d live on the device in both timings (as deltaprop's bench
--data device keeps its batch). `samples_per_s` leaves the loss on the device (what a PyTorch
loop does); `samples_per_s_loss_to_host` also calls loss.item() every step, as deltaprop's
Backend.step returns each step's loss to the host: that one is like with like.
Prints one JSON object per workload (--json: one array).

`--device cpu` runs the same on the CPU (timed with a monotonic clock), for a side-by-side with
`deltaprop bench --backend cpu`, on as many threads as that backend takes by default: every CPU this
process may run on. Not torch's own default: PyTorch counts physical cores from sysfs, and in guests
whose sysfs lacks topology/package_id it finds 1 on 2 cores and halves itself.

Usage: python3 native/torch-peer.py [--workloads tiny,mnist,wide,mnist-adam,gemm-4096] [--steps N]
                                    [--repeats R] [--device cuda|cpu] [--json]
"""

import argparse
import json
import os
import statistics
import sys
import time

WORKLOADS = {
    # name: (layer widths, hidden activation, batch, learning rate, optimizer)
    "tiny": ([32, 64, 64, 1], "tanh", 1024, 0.01, "sgd"),
    "mnist": ([784, 512, 512, 10], "relu", 256, 0.01, "sgd"),
    "wide": ([1024, 2048, 2048, 1024], "relu", 512, 0.001, "sgd"),
    # softmax + cross entropy, Adam; η as deltaprop's bench (Benchmark.LEARNING_RATE)
    "mnist-adam": ([784, 512, 512, 10], "relu", 256, 0.001, "adam"),
}
GEMM_PREFIX = "gemm-"
CPU_ONLY = False  # set by --device cpu


def training_flops(widths, batch):
    """2·B·Σ n_in·n_out (forward) + the same (weight gradients) + 2·B·Σ_{l>1} n_in·n_out (δ)."""
    products = [n_in * n_out for n_in, n_out in zip(widths[:-1], widths[1:])]
    return 2 * batch * sum(products) * 2 + 2 * batch * sum(products[1:])


def batch_mean_squared_error(y, d):
    """(1/B) Σ_b ½ Σ_j (y_bj − d_bj)²: DESIGN §1's E per sample, averaged over the batch."""
    return 0.5 * (y - d).pow(2).sum(dim=1).mean()


def build(torch, widths, activation, device, seed):
    torch.manual_seed(seed)
    layers = []
    for index, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if index < len(widths) - 2:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device=device, dtype=torch.float32)


def check_gradient(torch, device):
    """The loss's gradient with respect to the output is (y − d)/B, as deltaprop's δ^L with the batch mean."""
    generator = torch.Generator(device="cpu").manual_seed(1)
    y = torch.randn(7, 3, generator=generator).to(device).requires_grad_(True)
    d = torch.randn(7, 3, generator=generator).to(device)
    batch_mean_squared_error(y, d).backward()
    expected = (y.detach() - d) / 7
    error = (y.grad - expected).norm() / expected.norm()
    if not error < 1e-6:
        raise SystemExit(f"torch-peer: loss gradient differs from (y - d)/B by {error:.3g} relative")


def time_steps(torch, step, steps, repeats):
    """Median seconds per step over `repeats` runs of `steps` steps, timed with CUDA events (a clock on the CPU)."""
    per_step = []
    for _ in range(repeats):
        if not torch.cuda.is_available() or CPU_ONLY:
            began = time.perf_counter()
            for _ in range(steps):
                step()
            per_step.append((time.perf_counter() - began) / steps)
            continue
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(steps):
            step()
        end.record()
        end.synchronize()
        per_step.append(start.elapsed_time(end) / 1e3 / steps)
    return statistics.median(per_step), per_step


def train_workload(torch, name, steps, repeats, device):
    widths, activation, batch, learning_rate, rule = WORKLOADS[name]
    model = build(torch, widths, activation, device, seed=42)
    if rule == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.0)
    generator = torch.Generator(device="cpu").manual_seed(7)
    x = torch.rand(batch, widths[0], generator=generator).mul_(2).sub_(1).to(device)
    if rule == "adam":
        # class labels; cross_entropy's log-softmax is the softmax output layer of deltaprop's net
        d = torch.randint(0, widths[-1], (batch,), generator=generator).to(device)
        loss_of = torch.nn.functional.cross_entropy
    else:
        d = torch.rand(batch, widths[-1], generator=generator).mul_(2).sub_(1).to(device)
        loss_of = batch_mean_squared_error

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(model(x), d)
        loss.backward()
        optimizer.step()
        return loss

    def step_loss_to_host():
        return step().item()

    first_loss = step().item()
    for _ in range(max(10, steps // 5)):   # warm-up: cuBLAS handles, allocator, clocks
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds, runs = time_steps(torch, step, steps, repeats)
    seconds_host, _ = time_steps(torch, step_loss_to_host, steps, repeats)
    last_loss = step().item()
    flops = training_flops(widths, batch)
    return {
        "workload": name,
        "peer": ("pytorch eager fp32 (nn.Linear, F.cross_entropy, optim.Adam)" if rule == "adam"
                 else "pytorch eager fp32 (nn.Linear, batch-mean ½Σ(y−d)², optim.SGD)"),
        "optimizer": rule,
        "torch_device": device.type,
        "layers": widths,
        "activation": activation,
        "batch": batch,
        "learning_rate": learning_rate,
        "steps": steps,
        "repeats": repeats,
        "us_per_step": seconds * 1e6,
        "samples_per_s": batch / seconds,
        "gflops": flops / seconds / 1e9,
        "us_per_step_loss_to_host": seconds_host * 1e6,
        "samples_per_s_loss_to_host": batch / seconds_host,
        "us_per_step_runs": [r * 1e6 for r in runs],
        "loss_first": first_loss,
        "loss_last": last_loss,
    }


def gemm_workload(torch, name, repeats, device):
    n = int(name[len(GEMM_PREFIX):])
    generator = torch.Generator(device="cpu").manual_seed(3)
    a = torch.randn(n, n, generator=generator).to(device)
    b = torch.randn(n, n, generator=generator).to(device)
    c = torch.empty(n, n, device=device)

    def timed():
        for _ in range(3):
            torch.matmul(a, b, out=c)
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time_steps(torch, lambda: torch.matmul(a, b, out=c), 10, max(repeats, 5))

    seconds, runs = timed()
    # the same product on the tensor cores: TF32 on for this timing only (no such thing on a CPU)
    seconds_tf32, runs_tf32 = None, []
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        try:
            seconds_tf32, runs_tf32 = timed()
        finally:
            torch.backends.cuda.matmul.allow_tf32 = False
    return {
        "workload": name,
        "peer": "cuBLAS SGEMM via torch.matmul (fp32, TF32 off); gflops_tf32: the same with TF32 on",
        "n": n,
        "ms": seconds * 1e3,
        "gflops": 2.0 * n ** 3 / seconds / 1e9,
        "ms_runs": [r * 1e3 for r in runs],
        "ms_tf32": seconds_tf32 * 1e3 if seconds_tf32 else None,
        "gflops_tf32": 2.0 * n ** 3 / seconds_tf32 / 1e9 if seconds_tf32 else None,
        "ms_runs_tf32": [r * 1e3 for r in runs_tf32],
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="tiny,mnist,wide,mnist-adam,gemm-4096")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"],
                        help="cuda (default; fp32 with TF32 off) or cpu (for a side-by-side with the cpu backend)")
    parser.add_argument("--threads", type=int, help="with --device cpu: torch.set_num_threads (default: every CPU this process may run on)")
    parser.add_argument("--steps", type=int, default=50, help="steps per timed repeat (default 50)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON array instead of one object per line")
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads: expected a whole number >= 1, found {args.threads}")
    names = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for name in names:
        if name not in WORKLOADS and not (name.startswith(GEMM_PREFIX) and name[len(GEMM_PREFIX):].isdigit()):
            parser.error(f"--workloads: unknown workload '{name}', expected {', '.join(WORKLOADS)} or gemm-N")

    import torch  # imported here so that --help and the argument checks work without PyTorch

    global CPU_ONLY
    CPU_ONLY = args.device == "cpu"
    if not CPU_ONLY and not torch.cuda.is_available():
        raise SystemExit("torch-peer: PyTorch sees no CUDA device (--device cpu runs on the CPU)")
    # fp32 as deltaprop computes it: no TF32 in matmul or cuDNN
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    device = torch.device(args.device)
    check_gradient(torch, device)
    if CPU_ONLY:
        torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
        environment = {"torch": torch.__version__, "device": "cpu", "threads": torch.get_num_threads()}
    else:
        environment = {
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "device": torch.cuda.get_device_name(0),
            "capability": ".".join(map(str, torch.cuda.get_device_capability(0))),
            "tf32": torch.backends.cuda.matmul.allow_tf32,
        }
    results = []
    for name in names:
        began = time.monotonic()
        if name.startswith(GEMM_PREFIX):
            result = gemm_workload(torch, name, args.repeats, device)
        else:
            result = train_workload(torch, name, args.steps, args.repeats, device)
        result.update(environment)
        result["wall_s"] = round(time.monotonic() - began, 2)
        results.append(result)
        if not args.json:
            print(json.dumps(result), flush=True)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
