#!/bin/sh
# Chooses the OPENBLAS_CORETYPE under which OpenBLAS's SGEMM is fastest on this machine and prints
# the shell statement that sets it (`export OPENBLAS_CORETYPE=...`, or `unset OPENBLAS_CORETYPE`
# for OpenBLAS's own CPU detection). The side-by-sides (native/cpu-vs-torch.sh,
# native/cpu-gemm-vs-openblas.sh, native/cpu-side-by-side.sh, native/sgemm-side-by-side.sh) eval
# it before their peers run, so that deltaprop is compared with the best OpenBLAS and PyTorch this
# machine runs, not with whatever the environment forced or the library misdetected.
#
#   eval "$(sh native/openblas-coretype.sh)"      (stderr: what was measured and chosen)
#
# Candidates: OpenBLAS's own detection; the OPENBLAS_CORETYPE inherited, if one is set; SkylakeX
# (its AVX-512 kernels) where the CPU has avx512f, for a CPU newer than the library. Another
# candidate wins only when it is more than 5 % faster than the own detection on one wide-sized
# GEMM (512x2048x1024 NN, 2 threads, median of 7). Why: one machine here inherited
# OPENBLAS_CORETYPE=Haswell from its environment, which halved OpenBLAS and PyTorch on its Zen 5
# (2026-12-04: 215 vs 358-409 GFLOP/s; docs/perf.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
inherited=${OPENBLAS_CORETYPE:-}
rate() { # "GFLOP/s kernels" of the GEMM above with OPENBLAS_CORETYPE=$1, or unset when $1 is empty
    if [ -n "$1" ]; then
        OPENBLAS_CORETYPE=$1 sh "$here/openblas-sgemm.sh" 512x2048x1024 2 7
    else
        env -u OPENBLAS_CORETYPE sh "$here/openblas-sgemm.sh" 512x2048x1024 2 7
    fi | awk 'NR == 1 { sub(/.*threads, /, ""); sub(/ kernels.*/, ""); kernels = $0 } NR == 2 { print $1, kernels }'
}
own=$(rate "")
best=""
best_rate=${own%% *}
report="own detection: ${own#* } kernels, ${own%% *} GFLOP/s"
candidates=$inherited
if grep -qw avx512f /proc/cpuinfo && [ "$inherited" != SkylakeX ]; then
    candidates="$candidates SkylakeX"
fi
for candidate in $candidates; do
    measured=$(rate "$candidate")
    report="$report; OPENBLAS_CORETYPE=$candidate: ${measured#* } kernels, ${measured%% *} GFLOP/s"
    if awk -v a="$best_rate" -v b="${measured%% *}" -v own="${own%% *}" 'BEGIN { exit !(b > a && b > 1.05 * own) }'; then
        best=$candidate
        best_rate=${measured%% *}
    fi
done
echo "openblas-coretype: $report; chosen: ${best:-own detection}" >&2
if [ -n "$best" ]; then
    echo "export OPENBLAS_CORETYPE=$best"
else
    echo "unset OPENBLAS_CORETYPE"
fi
