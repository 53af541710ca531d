#!/bin/sh
# The cpu backend's GEMM families (forward NN, δ NT, update TN, with their real epilogues) against
# OpenBLAS SGEMM on the same GEMMs, on one thread and on two, interleaved: per round, workload and
# thread count, dev.deltaprop.cpu.FamilyPerf, then native/openblas-sgemm.c on each of its GEMMs.
#
#   native/cpu-gemm-vs-openblas.sh [ROUNDS [WORKLOAD...]]   (defaults: 2, wide mnist)
#
# One thread: best thread CPU time (cpu backend) and best process CPU time (OpenBLAS), which leave
# out the time a shared machine took the core away. Two threads: best wall time on both sides.
# The table at the end takes each side's best over the rounds. Needs target/classes and
# target/test-classes (mvn -o -q -Dmaven.antrun.skip test-compile) and libopenblas-dev.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# OpenBLAS (and PyTorch, which calls it) under its fastest kernels here: native/openblas-coretype.sh
eval "$(sh "$here/openblas-coretype.sh")"
repo=$(dirname "$here")
rounds=${1:-2}
[ $# -gt 0 ] && shift
workloads=${*:-wide mnist}
log=$(mktemp "${TMPDIR:-/tmp}/cpu-gemm-vs-openblas.XXXXXX")
cp="$repo/target/classes:$repo/target/test-classes"
shapes() {
    case "$1" in
        wide) echo 512x1024x2048 512x2048x2048 512x2048x1024 ;;
        mnist) echo 256x784x512 256x512x512 256x512x10 ;;
        tiny) echo 1024x32x64 1024x64x64 1024x64x1 ;;
        *) echo "cpu-gemm-vs-openblas: WORKLOAD: expected wide, mnist or tiny, found '$1'" >&2; exit 2 ;;
    esac
}
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
round=1
while [ "$round" -le "$rounds" ]; do
    for workload in $workloads; do
        for threads in 1 2; do
            # shellcheck disable=SC2046
            java --add-modules jdk.incubator.vector -cp "$cp" dev.deltaprop.cpu.FamilyPerf "$threads" 15 \
                $(shapes "$workload") 2>/dev/null | while read -r family gemm _ best gflops rest; do
                if [ "$threads" = 1 ]; then
                    figure=${rest##*cpu_gflops=}
                else
                    figure=${gflops#gflops=}
                fi
                echo "$workload $family $gemm $threads deltaprop $figure" >> "$log"
            done
            for gemm in $(awk -v w="$workload" -v t="$threads" '$1 == w && $4 == t && $5 == "deltaprop" {print $3}' "$log" | sort -u); do
                out=$(OPENBLAS_NUM_THREADS=$threads sh "$here/openblas-sgemm.sh" "$gemm" 3 15)
                if [ "$threads" = 1 ]; then
                    figure=$(echo "$out" | awk '/^cpu/ {print $(NF-1)}')
                else
                    figure=$(echo "$out" | awk '/min/ {gsub(/[(),]/, ""); for (i = 1; i <= NF; i++) if ($i == "min") m = $(i + 1)} END {print m}')
                    figure=$(echo "$gemm" | awk -F'[x:]' -v ms="$figure" '{printf "%.1f", 2 * $1 * $2 * $3 / (ms * 1e6)}')
                fi
                family=$(awk -v g="$gemm" '$3 == g {print $2; exit}' "$log")
                echo "$workload $family $gemm $threads openblas $figure" >> "$log"
            done
        done
    done
    echo "round $round done, load $(cut -d' ' -f1-3 /proc/loadavg)"
    round=$((round + 1))
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$log" <<'EOF'
import sys, collections
best = collections.defaultdict(float)
order = []
for line in open(sys.argv[1]):
    w, family, gemm, threads, side, figure = line.split()
    key = (w, family, gemm, threads)
    if key not in order:
        order.append(key)
    best[key + (side,)] = max(best[key + (side,)], float(figure))
print("| workload | family | GEMM (MxNxK) | threads | deltaprop GFLOP/s | OpenBLAS GFLOP/s | ratio |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: |")
for key in order:
    d, o = best[key + ("deltaprop",)], best[key + ("openblas",)]
    print("| %s | %s | %s | %s | %.1f | %.1f | %s |" % (key + (d, o, "%.2f" % (d / o) if o else "—")))
EOF
rm -f "$log"
