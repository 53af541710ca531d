#!/bin/sh
# Builds native/openblas-sgemm.c against Debian's libopenblas-dev and runs it at the sizes
# docs/perf-cpu.md compares with: 1024³, and the mnist step's forward GEMMs (B = 256).
# usage: native/openblas-sgemm.sh [threads...]   (default: 1 and 2)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/deltaprop-openblas-sgemm
cc -O2 -o "$out" "$here/openblas-sgemm.c" -lopenblas
for threads in ${*:-1 2}; do
    OPENBLAS_NUM_THREADS=$threads "$out" 1024 1024 1024 20
    OPENBLAS_NUM_THREADS=$threads "$out" 256 512 784 50
    OPENBLAS_NUM_THREADS=$threads "$out" 256 512 512 50
done
