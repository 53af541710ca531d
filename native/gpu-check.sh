#!/usr/bin/env bash
# gpu-check.sh — the CUDA backend's whole check on a machine with an NVIDIA GPU, in at most 5
# minutes of wall time including every Java start-up: versions, the device suite on cuda against
# the reference, `bench` on cuda with device-resident batches, the same workloads in PyTorch and
# cuBLAS (SGEMM and TF32) as peers, and one table of ratios, printed last.
#
#   bash native/gpu-check.sh OUT_DIR
#
# The GPU machine needs the NVIDIA driver, and PyTorch for the peers; not Java, Maven or a
# network: Java, the jars and the tests travel in .device/, which this machine builds with
#   PACK_TESTS=1 PACK_MVN_ARGS=-DexcludeArtifactIds=onnxruntime bash ../shared/device/pack.sh
# (from the project root; see its README; the ONNX Runtime test jar, 139 MiB, would take the
#  bundle past the 64 MiB a GPU run carries, and the device suite does not need it)
# Copy the working tree with .device/ to the GPU machine and run this script from there.
#
# What it writes: only into OUT_DIR, at most 8 files, none in a sub-folder (a GPU run returns at
# most 8 files of $OUT, at most two folders down):
#   gpu-check.log   everything printed          suite.txt   the device suite's test tree
#   bench.json      every deltaprop bench run   peer.json   the PyTorch/cuBLAS run
#   steps.txt       each step: verdict, seconds and the command that reproduces its figures
#   table.txt       the ratio table (also the last thing printed)
# Scratch output of the running step goes to a temporary folder that is removed at exit.
#
# Time: each step runs under `timeout` with its own limit; the limits of the steps that decide
# the verdict add up to less than the budget (GPU_CHECK_BUDGET_S, default 285 s), so none of them
# is ever cut short by the others. Tuning steps at the end run only while their whole limit
# still fits, and are listed as "skipped (time)" otherwise: a skipped step is not a failure.
# Exit status: 0 when no step failed, 1 when one failed or timed out, 2 when there is no GPU
# (without GPU_CHECK_DRY=1) or no bundle — said in one line, within seconds.
#
# GPU_CHECK_DRY=1 runs the whole script without a GPU (here, and in CI): the GPU steps say
# "no GPU" and do not count against it, the Java steps run on GPU_CHECK_BACKENDS (default then
# opencl, i.e. PoCL) with short settings, and the table is built from what they measured — so the
# dry run passes exactly when the script and the bundle work.
#
# Environment: GPU_CHECK_BUDGET_S; GPU_CHECK_BACKENDS (space-separated, default "cuda"; dry run
# "opencl"); GPU_CHECK_STEPS (timed bench steps, default 30); PYTHON (a Python with torch;
# default: the first of the usual places whose Python finds torch); DELTAPROP_NVRTC (NVRTC for
# the tile sweep; default: the first libnvrtc found in CUDA homes, conda's lib/ or the pip
# wheels of that Python); JAVA_OPTS (default -Xmx16g).
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${1:-}"
if [ -z "$OUT_DIR" ]; then
  echo "usage: bash native/gpu-check.sh OUT_DIR   (OUT_DIR receives at most 8 files: log, tables, JSON)" >&2
  exit 2
fi
mkdir -p "$OUT_DIR" || { echo "gpu-check: cannot create $OUT_DIR" >&2; exit 2; }
OUT_DIR="$(cd "$OUT_DIR" && pwd)"
cd "$ROOT"   # the tests read native/prebuilt/ relative to the project root
LOG="$OUT_DIR/gpu-check.log"
: > "$LOG"
: > "$OUT_DIR/steps.txt"
: > "$OUT_DIR/suite.txt"
rm -f "$OUT_DIR/bench.json" "$OUT_DIR/peer.json" "$OUT_DIR/table.txt"
exec > >(tee -a "$LOG") 2>&1
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT

DRY="${GPU_CHECK_DRY:-0}"
if [ "$DRY" = 1 ]; then
  BUDGET_S="${GPU_CHECK_BUDGET_S:-1200}"   # a loaded CPU, not an H200: the limits below are scaled
  SCALE=4
  read -r -a BACKENDS <<< "${GPU_CHECK_BACKENDS:-opencl}"
  STEPS="${GPU_CHECK_STEPS:-3}"
  BENCH_SHORT=(--warmup 1 --warmup-seconds 0 --profiled-steps 1)
  TRAIN_WORKLOADS=tiny
  GEMM=gemm-256
else
  BUDGET_S="${GPU_CHECK_BUDGET_S:-285}"
  SCALE=1
  read -r -a BACKENDS <<< "${GPU_CHECK_BACKENDS:-cuda}"
  STEPS="${GPU_CHECK_STEPS:-30}"
  BENCH_SHORT=(--warmup-seconds 1)
  TRAIN_WORKLOADS=all
  GEMM=gemm-4096
fi
BACKEND_LIST="$(IFS=,; echo "${BACKENDS[*]}")"
export JAVA_OPTS="${JAVA_OPTS:--Xmx16g}"
RUN=(bash .device/run.sh)
# the bundled JDK's signal chaining: an OpenCL compiler built on LLVM (PoCL in the dry run)
# replaces the JVM's SIGSEGV handler and can kill the JVM at random (README "OpenCL on PoCL")
if [ -f "$PWD/.device/jre/lib/libjsig.so" ]; then
  RUN=(env LD_PRELOAD="$PWD/.device/jre/lib/libjsig.so" bash .device/run.sh)
fi
BEGAN=$(date +%s)
STEP=0
FAILED=0
LAST_RAN=0        # whether the last step ran (else it was skipped or had no GPU)
LAST_RC=0
LAST_COMMAND=""

say() { printf '[gpu-check] %s\n' "$*"; }
elapsed() { echo $(( $(date +%s) - BEGAN )); }
quote() { local out="" a; for a in "$@"; do out+="${out:+ }$(printf '%q' "$a")"; done; echo "$out"; }
verdict() {   # verdict NAME VERDICT SECONDS COMMAND
  printf '%2d  %-46s %-22s %4s s  %s\n' "$STEP" "$1" "$2" "$3" "$4" >> "$OUT_DIR/steps.txt"
}

# step NAME LIMIT_S KIND COMMAND... — KIND: gpu (needs the GPU: "no GPU" in a dry run), any
# (runs in a dry run too) or extra (tuning: runs only while its whole limit fits). Runs COMMAND
# under timeout, its output to the log and to $SCRATCH/step.out; the verdict goes to steps.txt.
step() {
  local name="$1" limit=$(( $2 * SCALE )) kind="$3"; shift 3
  STEP=$((STEP + 1))
  local command; command="$(quote "$@")"
  LAST_RAN=0; LAST_RC=0; LAST_COMMAND="$command"
  : > "$SCRATCH/step.out"
  if [ "$kind" = gpu ] && [ "$HAVE_GPU" = 0 ]; then
    printf '\n== %d. %s: no GPU (dry run)\n' "$STEP" "$name"
    verdict "$name" "no GPU (dry run)" 0 "$command"
    return 3
  fi
  local left=$(( BUDGET_S - $(elapsed) - 10 ))
  if [ "$limit" -gt "$left" ]; then
    printf '\n== %d. %s: skipped, %d s of the %d s budget left and the step may take %d s\n' \
      "$STEP" "$name" "$left" "$BUDGET_S" "$limit"
    verdict "$name" "skipped (time)" 0 "$command"
    return 3
  fi
  printf '\n== %d. %s (at %d s, limit %d s)\n$ %s\n' "$STEP" "$name" "$(elapsed)" "$limit" "$command"
  local start rc
  start=$(date +%s)
  set -o pipefail
  timeout -k 5 "$limit" "$@" 2>&1 | tee "$SCRATCH/step.out"
  rc=$?
  set +o pipefail
  LAST_RAN=1; LAST_RC=$rc
  local took=$(( $(date +%s) - start )) result="ok"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then result="TIMED OUT (${limit} s)"
  elif [ "$rc" != 0 ]; then result="FAILED (exit $rc)"; fi
  if [ "$result" != ok ] && [ "$kind" != extra ]; then FAILED=1; fi
  verdict "$name" "$result" "$took" "$command"
  return "$rc"
}

# record FILE NAME — the last step's output (its first JSON value), exit status and command
# appended to the JSON array FILE, if the step ran
record() {
  [ "$LAST_RAN" = 1 ] || return 0
  "$PY_ANY" native/gpu-table.py record "$1" --step "$STEP" --name "$2" --exit "$LAST_RC" \
    --command "$LAST_COMMAND" < "$SCRATCH/step.out" || say "could not record step $STEP in $1"
}

# ---- 0. what is here, said at once (no budget) ------------------------------------------------
say "deltaprop GPU check, $(date -u +%FT%TZ), tree $ROOT, out $OUT_DIR, budget ${BUDGET_S} s$([ "$DRY" = 1 ] && echo ', dry run')"
HAVE_GPU=1
if ! command -v nvidia-smi >/dev/null 2>&1; then
  GPU_WHY="nvidia-smi not found"
  HAVE_GPU=0
elif ! GPUS="$(timeout 20 nvidia-smi -L 2>&1)" || ! grep -q '^GPU ' <<< "$GPUS"; then
  GPU_WHY="nvidia-smi -L says: $(head -n 1 <<< "$GPUS")"
  HAVE_GPU=0
fi
if [ "$HAVE_GPU" = 0 ]; then
  if [ "$DRY" != 1 ]; then
    say "no NVIDIA GPU usable here: $GPU_WHY (GPU_CHECK_DRY=1 runs the script without one)"
    exit 2
  fi
  say "no GPU ($GPU_WHY): dry run on ${BACKEND_LIST}; GPU steps say 'no GPU'"
fi
if [ ! -f .device/run.sh ]; then
  say "no .device bundle in $ROOT: build it where Java and Maven are (PACK_TESTS=1 PACK_MVN_ARGS=-DexcludeArtifactIds=onnxruntime bash ../shared/device/pack.sh) and copy it along"
  exit 2
fi
if [ ! -d .device/test-classes ]; then
  say "the .device bundle has no tests: rebuild it with PACK_TESTS=1 PACK_MVN_ARGS=-DexcludeArtifactIds=onnxruntime bash ../shared/device/pack.sh"
  exit 2
fi
[ -f .device/PACKED.txt ] && sed -n '1,2p' .device/PACKED.txt

# the Python that has torch: PYTHON, else the first of the usual places whose Python finds it
# (find_spec only looks: importing torch costs seconds, and each candidate would pay them)
has_torch() { timeout 10 "$1" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("torch") is None)' 2>/dev/null; }
PY_TORCH=""
for candidate in ${PYTHON:-} python3 python /opt/conda/bin/python /opt/conda/envs/*/bin/python /usr/local/bin/python3 \
                 /usr/bin/python3 "$HOME"/miniconda3/bin/python "$HOME"/anaconda3/bin/python "$HOME"/.venv/bin/python \
                 /opt/venv/bin/python /workspace/.venv/bin/python; do
  path="$(command -v "$candidate" 2>/dev/null)" || continue
  if has_torch "$path"; then PY_TORCH="$path"; break; fi
done
PY_ANY="${PY_TORCH:-$(command -v python3 || command -v python || true)}"
[ -n "$PY_ANY" ] || { say "no Python at all here: the table needs one (python3)"; exit 2; }
say "Python with torch: ${PY_TORCH:-none found (PYTHON=… names one)}; tables by $PY_ANY"

# NVRTC (only the tile sweep compiles at run time): DELTAPROP_NVRTC, CUDA homes, conda's lib/,
# then the pip wheels of the torch Python (nvidia/cuda_nvrtc/lib for CUDA 12, nvidia/cu13/lib)
find_nvrtc() {
  local dirs=() d f
  for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" /usr/local/cuda /usr/local/cuda-*; do
    [ -n "$d" ] && dirs+=("$d/lib64" "$d/lib" "$d/targets/x86_64-linux/lib")
  done
  [ -n "${CONDA_PREFIX:-}" ] && dirs+=("$CONDA_PREFIX/lib")
  [ -n "$PY_TORCH" ] && dirs+=("$(dirname "$(dirname "$PY_TORCH")")/lib")   # conda: bin/python → lib/
  dirs+=(/opt/conda/lib)
  if [ -n "$PY_TORCH" ]; then
    while IFS= read -r d; do
      dirs+=("$d/nvidia/cuda_nvrtc/lib" "$d/nvidia/cu13/lib" "$d/torch/lib")
    done < <(timeout 10 "$PY_TORCH" -c 'import site; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null)
  fi
  for d in "${dirs[@]}"; do
    for f in "$d"/libnvrtc.so.13 "$d"/libnvrtc.so.12 "$d"/libnvrtc.so.1[0-9]*; do
      [ -f "$f" ] && { echo "$f"; return 0; }
    done
  done
  return 1
}
if [ -z "${DELTAPROP_NVRTC:-}" ] && NVRTC_FOUND="$(find_nvrtc)"; then export DELTAPROP_NVRTC="$NVRTC_FOUND"; fi
say "NVRTC: ${DELTAPROP_NVRTC:-none found (the tile sweep then says why it cannot compile)}"
export PY_TORCH

# ---- 1. versions --------------------------------------------------------------------------------
VERSIONS='
  nvidia-smi -L
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm --format=csv
  nvidia-smi | grep -o "CUDA Version: [0-9.]*"
  command -v nvcc >/dev/null && nvcc --version | tail -n 2
  [ -n "$PY_TORCH" ] && "$PY_TORCH" -c "import torch; print(\"torch\", torch.__version__, \"CUDA\", torch.version.cuda)"
  unzip -l .device/app.jar "kernels/mlp.fatbin*" 2>/dev/null | grep fatbin || echo "app.jar: no kernels/mlp.fatbin"
  true'
step "versions" 15 gpu bash -c "$VERSIONS"
step "bundle probe" 15 any "${RUN[@]}" --probe
step "deltaprop devices" 20 any "${RUN[@]}" dev.deltaprop.cli.Main devices

# ---- 2. the device suite, against the reference ------------------------------------------------
# every Device*Test of the device package (the kernel families under every GEMM plan, training,
# data sets), the tile-plan rules, on a GPU the CUDA driver's (with its graph contract),
# provider's, module loading's and fatbin's tests, GraphReplayTest: steps replayed from CUDA
# graphs against the same steps launched, bit for bit, and StepPlansTest (a few seconds): launch
# plans and graphs across batches that regrow the buffers; DELTAPROP_REQUIRE turns a backend that
# cannot start into a failure
SELECT=()
if [ "$DRY" = 1 ]; then
  # a CPU runs the kernel families' thousands of cases in minutes: the dry run checks the
  # machinery on the whole-backend comparisons and the plan rules
  for class in DeviceTrainingTest GemmPlanTest ShippedFatbinTest GraphReplayTest; do
    [ -f ".device/test-classes/dev/deltaprop/device/$class.class" ] && SELECT+=(--select-class "dev.deltaprop.device.$class")
  done
else
  while IFS= read -r class; do
    SELECT+=(--select-class "$class")
  done < <(cd .device/test-classes && find dev/deltaprop/device -name '*Test.class' ! -name '*$*' \
             \( -name 'Device*Test.class' -o -name 'Cuda*Test.class' -o -name 'Jcuda*Test.class' -o -name 'Nvrtc*Test.class' \
                -o -name 'FatbinTest.class' -o -name 'ShippedFatbinTest.class' -o -name 'GemmPlanTest.class' \
                -o -name 'GraphReplayTest.class' -o -name 'StepGraphTest.class' -o -name 'StepPlansTest.class' \) \
           | sed 's/\.class$//; s#/#.#g' | sort)
fi
say "device suite: $(( ${#SELECT[@]} / 2 )) classes on $BACKEND_LIST"
step "device suite on $BACKEND_LIST" 95 any \
  env DELTAPROP_REQUIRE="$BACKEND_LIST" JAVA_OPTS="$JAVA_OPTS -Ddeltaprop.test.backends=$BACKEND_LIST" \
  "${RUN[@]}" --test "${SELECT[@]}" --details=tree --details-theme=ascii
[ "$LAST_RAN" = 1 ] && cp "$SCRATCH/step.out" "$OUT_DIR/suite.txt"

# ---- 3. bench: training steps with device-resident batches, then the forward GEMM alone --------
for backend in "${BACKENDS[@]}"; do
  step "bench $TRAIN_WORKLOADS on $backend" 45 any env DEVICE_QUIET=1 "${RUN[@]}" dev.deltaprop.cli.Main bench \
    --backend "$backend" --workload "$TRAIN_WORKLOADS" --data device --steps "$STEPS" "${BENCH_SHORT[@]}" --json
  record "$OUT_DIR/bench.json" "train $backend"
  step "bench $GEMM on $backend" 25 any env DEVICE_QUIET=1 "${RUN[@]}" dev.deltaprop.cli.Main bench \
    --backend "$backend" --workload "$GEMM" --steps "$STEPS" "${BENCH_SHORT[@]}" --json
  record "$OUT_DIR/bench.json" "gemm $backend"
done

# ---- 4. the peers: PyTorch eager fp32 (x on the device; the loss left there, and copied to the ---
# host each step as deltaprop's step does) and cuBLAS SGEMM, fp32 and TF32
if [ -n "$PY_TORCH" ]; then
  step "peers: PyTorch and cuBLAS" 55 gpu env PYTHONUNBUFFERED=1 "$PY_TORCH" native/torch-peer.py \
    --workloads "tiny,mnist,wide,mnist-adam,$GEMM" --steps "$STEPS" --json
  record "$OUT_DIR/peer.json" "peers"
else
  step "peers: PyTorch and cuBLAS" 55 gpu bash -c 'echo "no Python with torch found (set PYTHON)"; exit 1'
fi

# ---- 5. tuning data while the GPU is here, if time is left (not part of the verdict) ------------
# the launch cost: tiny (where launches are most of a step) with CUDA graphs off, beside step 3's
# run with them on (the default); the table prints the µs per step the graph saves
for backend in "${BACKENDS[0]}"; do
  step "launch cost: bench tiny graphs off on $backend" 20 extra env DEVICE_QUIET=1 \
    JAVA_OPTS="$JAVA_OPTS -Ddeltaprop.graphs=false" "${RUN[@]}" dev.deltaprop.cli.Main bench \
    --backend "$backend" --workload tiny --data device --steps "$STEPS" "${BENCH_SHORT[@]}" --json
  record "$OUT_DIR/bench.json" "graphs-off $backend"
done

# the forward GEMM under the other tile class and with a deeper K step (compiled at run time:
# the fatbin holds only the shipped macros, so these need NVRTC and say so without it)
for backend in "${BACKENDS[0]}"; do
  for variant in "-Ddeltaprop.gemm=class=small" "-Ddeltaprop.tiles=LARGE_TK=16" "-Ddeltaprop.gemm=splits=1"; do
    step "sweep $GEMM $variant" 20 extra env DEVICE_QUIET=1 JAVA_OPTS="$JAVA_OPTS $variant" "${RUN[@]}" \
      dev.deltaprop.cli.Main bench --backend "$backend" --workload "$GEMM" --steps "$STEPS" "${BENCH_SHORT[@]}" --json
    record "$OUT_DIR/bench.json" "sweep $variant"
  done
done

# ---- 6. the steps, then the table last -------------------------------------------------------------
printf '\n== steps (%d s of the %d s budget)\n' "$(elapsed)" "$BUDGET_S"
cat "$OUT_DIR/steps.txt"
printf '\n'
"$PY_ANY" native/gpu-table.py table "$OUT_DIR" "${BACKENDS[@]}" > "$SCRATCH/table.txt" 2>&1 || FAILED=1
cp "$SCRATCH/table.txt" "$OUT_DIR/table.txt"
cat "$OUT_DIR/table.txt"
exit "$FAILED"
