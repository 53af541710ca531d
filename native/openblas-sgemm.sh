#!/bin/sh
# Builds native/openblas-sgemm.c against Debian's libopenblas-dev and runs it:
#   native/openblas-sgemm.sh [SHAPE [WARMUP [RUNS]]]  (defaults 1024 2 5; SHAPE N or MxNxK[:NN|NT|TN])
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/deltaprop-openblas-sgemm
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -I/usr/include/x86_64-linux-gnu/openblas-pthread \
    -o "$out" "$here/openblas-sgemm.c" -lopenblas -lm
exec "$out" "$@"
