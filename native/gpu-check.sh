#!/usr/bin/env bash
# gpu-check.sh — the CUDA backend's whole check on a machine with an NVIDIA GPU, in one run of
# under 8 minutes: versions, the device suite on cuda against the reference, `bench` on cuda, the
# same workloads in PyTorch and cuBLAS SGEMM as peers, and one table of ratios, printed last.
#
#   bash native/gpu-check.sh LOG_DIR
#
# The GPU machine needs the NVIDIA driver, and PyTorch for the peers; not Java, Maven or a
# network: Java, the jars and the tests travel in .device/, which this machine builds with
#   PACK_TESTS=1 bash ../shared/device/pack.sh        (from the project root; see its README)
# Copy the working tree with .device/ to the GPU machine and run this script from there.
# Everything printed also goes to LOG_DIR/gpu-check.log; each step's output is in LOG_DIR too.
#
# Every step runs under `timeout`, and the steps share one deadline (GPU_CHECK_BUDGET_S, default
# 450 s) so that a hang costs its step, not the run. Exit status: 0 when every step passed,
# 1 when one failed, 2 when there is no GPU or no bundle (said in one line, within seconds).
#
# Environment: GPU_CHECK_BUDGET_S (seconds for all steps), GPU_CHECK_STEPS (bench and peer
# steps per timing, default 50), JAVA_OPTS (passed to the JVM; default -Xmx16g), PYTHON (python3),
# GPU_CHECK_DRY=1 (run every step even without a GPU: a trial of the script itself, which then
# fails step by step with each step's own reason), GPU_CHECK_BACKENDS (space-separated device
# backends to test and bench, default "cuda"; e.g. "cuda cuda-lwjgl").
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_DIR="${1:-}"
if [ -z "$LOG_DIR" ]; then
  echo "usage: bash native/gpu-check.sh LOG_DIR   (LOG_DIR receives gpu-check.log and each step's output)" >&2
  exit 2
fi
mkdir -p "$LOG_DIR" || { echo "gpu-check: cannot create $LOG_DIR" >&2; exit 2; }
LOG_DIR="$(cd "$LOG_DIR" && pwd)"
cd "$ROOT"   # the tests read native/prebuilt/ relative to the project root
LOG="$LOG_DIR/gpu-check.log"
: > "$LOG"
exec > >(tee -a "$LOG") 2>&1

BUDGET_S="${GPU_CHECK_BUDGET_S:-450}"
read -r -a BACKENDS <<< "${GPU_CHECK_BACKENDS:-cuda}"
BACKEND_LIST="$(IFS=,; echo "${BACKENDS[*]}")"
STEPS="${GPU_CHECK_STEPS:-50}"
PYTHON="${PYTHON:-python3}"
export JAVA_OPTS="${JAVA_OPTS:--Xmx16g}"
RUN=(bash "$ROOT/.device/run.sh")
BEGAN=$(date +%s)
SUMMARY=()
FAILED=0

say() { printf '[gpu-check] %s\n' "$*"; }
elapsed() { echo $(( $(date +%s) - BEGAN )); }

# step NAME LIMIT_S OUTPUT_FILE COMMAND... — runs COMMAND under timeout (the smaller of LIMIT_S
# and what is left of the budget, keeping 20 s for the table), tees its output to OUTPUT_FILE
step() {
  local name="$1" limit="$2" out="$3"; shift 3
  local left=$(( BUDGET_S - $(elapsed) - 20 ))
  if [ "$left" -lt 10 ]; then
    say "SKIPPED $name: the ${BUDGET_S} s budget is spent"
    SUMMARY+=("$(printf '%-46s %s' "$name" "skipped (budget spent)")"); FAILED=1
    return
  fi
  [ "$limit" -gt "$left" ] && limit="$left"
  printf '\n== %s (at %d s, limit %d s)\n' "$name" "$(elapsed)" "$limit"
  local start rc
  start=$(date +%s)
  set -o pipefail
  timeout -k 5 "$limit" "$@" 2>&1 | tee "$LOG_DIR/$out"
  rc=$?
  set +o pipefail
  local took=$(( $(date +%s) - start ))
  local verdict="ok"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then verdict="TIMED OUT after ${limit} s"; FAILED=1
  elif [ "$rc" != 0 ]; then verdict="FAILED (exit $rc)"; FAILED=1; fi
  SUMMARY+=("$(printf '%-46s %-20s %4d s  %s' "$name" "$verdict" "$took" "$out")")
}

# ---- 0. what is needed, said at once ------------------------------------------------------
say "deltaprop GPU check, $(date -u +%FT%TZ), tree $ROOT, log $LOG"
DRY="${GPU_CHECK_DRY:-0}"
if ! command -v nvidia-smi >/dev/null 2>&1; then
  say "no NVIDIA GPU here: nvidia-smi not found (this check needs a machine with an NVIDIA GPU and its driver)"
  [ "$DRY" = 1 ] || exit 2
  GPUS="(none: GPU_CHECK_DRY=1)"
elif ! GPUS="$(timeout 20 nvidia-smi -L 2>&1)" || ! grep -q '^GPU ' <<< "$GPUS"; then
  say "no NVIDIA GPU usable here: nvidia-smi -L says: $(head -n 1 <<< "$GPUS")"
  [ "$DRY" = 1 ] || exit 2
fi
export GPUS PYTHON ROOT
if [ ! -f "$ROOT/.device/run.sh" ]; then
  say "no .device bundle in $ROOT: build it where Java and Maven are (PACK_TESTS=1 bash ../shared/device/pack.sh) and copy it along"
  exit 2
fi
if [ ! -d "$ROOT/.device/test-classes" ]; then
  say "the .device bundle has no tests: rebuild it with PACK_TESTS=1 bash ../shared/device/pack.sh"
  exit 2
fi
[ -f "$ROOT/.device/PACKED.txt" ] && sed -n '1,2p' "$ROOT/.device/PACKED.txt"

# ---- 1. versions ----------------------------------------------------------------------------
VERSIONS='
  echo "$GPUS"
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm --format=csv
  nvidia-smi | grep -o "CUDA Version: [0-9.]*"
  command -v nvcc >/dev/null && nvcc --version | tail -n 2
  "$PYTHON" -c "import torch; print(\"torch\", torch.__version__, \"CUDA\", torch.version.cuda)" \
    || echo "PyTorch: not importable by $PYTHON (the peers will be missing)"
  unzip -l "$ROOT/.device/app.jar" "kernels/mlp.fatbin*" 2>/dev/null | grep fatbin || echo "app.jar: no kernels/mlp.fatbin"
  true'
step "versions" 30 versions.txt bash -c "$VERSIONS"
step "bundle probe (run.sh --probe)" 45 probe.txt "${RUN[@]}" --probe
step "deltaprop devices" 45 devices.txt "${RUN[@]}" dev.deltaprop.cli.Main devices

# ---- 2. the device suite on cuda, against the reference -------------------------------------
# every Device*Test of the device package (the kernel families, training, data sets), the JCuda
# driver's own tests, the CUDA provider's and module loading's (fatbin, then NVRTC with other
# macros), and NVRTC's (PyTorch's wheels carry libnvrtc); DELTAPROP_REQUIRE=cuda turns a skip
# into a failure
SELECT=()
while IFS= read -r class; do
  SELECT+=(--select-class "$class")
done < <(cd "$ROOT/.device/test-classes" && find dev/deltaprop/device -name '*Test.class' ! -name '*$*' \
           \( -name 'Device*Test.class' -o -name 'Cuda*Test.class' -o -name 'Jcuda*Test.class' -o -name 'Nvrtc*Test.class' \
              -o -name 'FatbinTest.class' -o -name 'Lwjgl*Cuda*Test.class' \
              -o -name 'ShippedFatbinTest.class' \) \
         | sed 's/\.class$//; s#/#.#g' | sort)
say "device suite classes: $(( ${#SELECT[@]} / 2 ))"
step "device suite on $BACKEND_LIST" 210 suite.txt \
  env DELTAPROP_REQUIRE="$BACKEND_LIST" JAVA_OPTS="$JAVA_OPTS -Ddeltaprop.test.backends=$BACKEND_LIST" \
  "${RUN[@]}" --test "${SELECT[@]}" --details=tree --details-theme=ascii

# ---- 3. bench on cuda ----------------------------------------------------------------------
for backend in "${BACKENDS[@]}"; do
  for workload in tiny mnist wide mnist-adam gemm-4096; do
    step "bench $workload on $backend" 60 "bench-$backend-$workload.json" \
      env DEVICE_QUIET=1 "${RUN[@]}" dev.deltaprop.cli.Main bench --backend "$backend" --workload "$workload" --steps "$STEPS" --json
  done
done

# ---- 4. the peers: PyTorch eager fp32 and cuBLAS SGEMM --------------------------------------
step "peers: PyTorch and cuBLAS" 120 peer.json \
  env PYTHONUNBUFFERED=1 "$PYTHON" "$ROOT/native/torch-peer.py" --steps "$STEPS" --json

# ---- 4b. cuda-lwjgl (the same engine through LWJGL's CUDA binding), when GPU_CHECK_BACKENDS ----
# does not already name it: its suite and the tiny bench only, after the cuda steps and the
# peers, so that a tight budget spends itself on those first
if [[ " ${BACKENDS[*]} " != *" cuda-lwjgl "* ]]; then
  LWJGL_SELECT=()
  while IFS= read -r class; do
    LWJGL_SELECT+=(--select-class "$class")
  done < <(cd "$ROOT/.device/test-classes" && find dev/deltaprop/device -name '*Test.class' ! -name '*$*' \
             \( -name 'Device*Test.class' -o -name 'LwjglCuda*Test.class' -o -name 'LwjglProvidersTest.class' \) \
           | sed 's/\.class$//; s#/#.#g' | sort)
  step "device suite on cuda-lwjgl" 150 suite-cuda-lwjgl.txt \
    env DELTAPROP_REQUIRE=cuda-lwjgl JAVA_OPTS="$JAVA_OPTS -Ddeltaprop.test.backends=cuda-lwjgl" \
    "${RUN[@]}" --test "${LWJGL_SELECT[@]}" --details=tree --details-theme=ascii
  step "bench tiny on cuda-lwjgl" 60 bench-cuda-lwjgl-tiny.json \
    env DEVICE_QUIET=1 "${RUN[@]}" dev.deltaprop.cli.Main bench --backend cuda-lwjgl --workload tiny --steps "$STEPS" --json
fi

# ---- 5. tuning data while the GPU is here: the forward GEMM with other tile profiles --------
# (not part of the verdict: each profile is compiled at run time by NVRTC, PyTorch's wheel
#  carries it; without NVRTC each says why in a second). One row each in the table's footer.
SWEEP=("TM=128,TN=128,TK=8,WM=8,WN=8" "TM=128,TN=128,TK=16,WM=8,WN=8" "TM=128,TN=64,TK=16,WM=8,WN=4")
for tiles in "${SWEEP[@]}"; do
  before=$FAILED
  step "sweep gemm-4096 ${tiles}" 40 "sweep-${tiles//[,=]/_}.json" \
    env DEVICE_QUIET=1 JAVA_OPTS="$JAVA_OPTS -Ddeltaprop.tiles=$tiles" \
    "${RUN[@]}" dev.deltaprop.cli.Main bench --backend "${BACKENDS[0]}" --workload gemm-4096 --steps 20 --json
  FAILED=$before
done

# ---- 6. summary, then the table last -------------------------------------------------------
printf '\n== steps (%d s in all)\n' "$(elapsed)"
printf '%s\n' "${SUMMARY[@]}"
printf '\n'
timeout 20 "$PYTHON" "$ROOT/native/gpu-table.py" "$LOG_DIR" "${BACKENDS[@]}" | tee "$LOG_DIR/table.txt" || FAILED=1
exit "$FAILED"
