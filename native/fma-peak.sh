#!/bin/sh
# Builds native/fma-peak.c for this CPU (-march=native: its widest vectors) and runs it:
#   native/fma-peak.sh [THREADS [ROUNDS]]   (defaults 1 and 5)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/deltaprop-fma-peak
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -march=native -Wall -Wextra -pthread \
    -o "$out" "$here/fma-peak.c"
exec "$out" "$@"
