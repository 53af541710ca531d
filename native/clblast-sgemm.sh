#!/bin/sh
# Builds native/clblast-sgemm.c against Debian's libclblast-dev and OpenCL, and runs it:
#   native/clblast-sgemm.sh [N [WARMUP [RUNS]]]      (defaults 1024 2 5)
# DELTAPROP_OPENCL_DEVICE picks the device (index or name substring), as for deltaprop.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/deltaprop-clblast-sgemm
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -o "$out" "$here/clblast-sgemm.c" -lclblast -lOpenCL -lm
exec "$out" "$@"
