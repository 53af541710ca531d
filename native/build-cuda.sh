#!/usr/bin/env bash
# build-cuda.sh — kernels/mlp.cu → a fatbin the CUDA drivers load without compiling anything.
#
#   bash native/build-cuda.sh [OUT]     build OUT/mlp.fatbin + OUT/mlp.fatbin.properties
#                                       (default OUT: target/classes/kernels; Maven runs this)
#   bash native/build-cuda.sh --prebuilt   refresh the committed copy in native/prebuilt/
#   bash native/build-cuda.sh --check      compile every kernels/*.cu, keep nothing (CI)
#   bash native/build-cuda.sh --report     per kernel of kernels/mlp.cu for sm_90 (ptxas -v):
#                                          registers, spill stores/loads, stack frame, shared
#                                          memory; fails when a kernel spills or passes 128 registers
#
# The fatbin holds machine code for sm_80, sm_86, sm_89 and sm_90 (A100, A10/RTX 30, L4/RTX 40,
# H100/H200) and compute_90 PTX, which a driver compiles for anything newer. It is built from
# the entry's text with every #include resolved exactly as the engine resolves it at run time
# (dev.deltaprop.device.KernelSource: each `#include "x"` line becomes `#line 1 "x"`, x's
# resolved text, a newline and `#line N+2 "file"`), with the GPU tile profile of
# dev.deltaprop.device.TileProfile as -D macros. Its record (.properties) keeps the SHA-256 of
# that text and the macros, so a driver uses the fatbin only for the program it was built from.
#
# Without nvcc: the committed copy in native/prebuilt/ is used (a warning says when it is stale:
# the CUDA backend then compiles the kernels at run time with NVRTC). --check fails without nvcc.
# With nvcc, outside CI (CI=true), a build also refreshes that committed copy when the kernels
# changed, so that it is committed along with them (DELTAPROP_KEEP_PREBUILT=1: leave it alone).
#
# Environment: NVCC (default: nvcc on PATH, else /usr/local/cuda/bin/nvcc);
#              CUDA_DEFINES="REDUCE=256 SMALL_TM=64 ..." instead of TileProfile's GPU row.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KERNELS="$ROOT/kernels"
PREBUILT="$ROOT/native/prebuilt"
PROFILE="$ROOT/src/main/java/dev/deltaprop/device/TileProfile.java"
ENTRY=mlp.cu
GENCODE=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86
         -gencode arch=compute_89,code=sm_89 -gencode "arch=compute_90,code=[sm_90,compute_90]")
TARGETS="sm_80 sm_86 sm_89 sm_90 compute_90"

say() { printf '[build-cuda] %s\n' "$*"; }
die() { printf '[build-cuda] ERROR: %s\n' "$*" >&2; exit 1; }

MODE=build
OUT="$ROOT/target/classes/kernels"
case "${1:-}" in
  --check) MODE=check ;;
  --report) MODE=report ;;
  --prebuilt) OUT="$PREBUILT" ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  -*) die "unknown option $1 (expected --check, --report, --prebuilt or an output folder)" ;;
  *) OUT="$1" ;;
esac

if [ -n "${NVCC:-}" ]; then
  [ -x "$NVCC" ] || { say "NVCC=$NVCC is not an executable: building as without nvcc"; NVCC=""; }
else
  NVCC="$(command -v nvcc || true)"
  [ -n "$NVCC" ] || { [ -x /usr/local/cuda/bin/nvcc ] && NVCC=/usr/local/cuda/bin/nvcc; } || true
fi

# ---- the entry's text, includes resolved as KernelSource does ----------------------------
# (bash, not cpp: the text must be byte for byte what the engine hands the driver, so that its
#  SHA-256 matches; ShippedFatbinTest checks that it does)
resolve() {   # resolve FILE DEPTH
  local name="$1" depth="$2" file="$KERNELS/$1" n=0 line
  [ "$depth" -le 16 ] || die "kernels/$name: includes nested deeper than 16 (a cycle?)"
  [ -f "$file" ] || die "kernels/$name: not found"
  local -a lines
  mapfile -t lines < "$file"
  # Java's split("\n", -1) yields one more (empty) piece when the text ends in a newline
  if [ ! -s "$file" ] || [ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" = '\n' ]; then lines+=(""); fi
  local re='^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)"[[:space:]]*$'
  for line in "${lines[@]}"; do
    n=$((n + 1))
    if [[ "$line" =~ $re ]]; then
      local included="${BASH_REMATCH[1]}"
      printf '#line 1 "%s"\n' "$included"
      resolve "$included" $((depth + 1))
      printf '\n#line %d "%s"\n' $((n + 1)) "$name"
    else
      printf '%s\n' "$line"
    fi
  done
}

# ---- the macros: TileProfile's GPU row ----------------------------------------------------
defines() {
  if [ -n "${CUDA_DEFINES:-}" ]; then echo "$CUDA_DEFINES"; return; fi
  [ -f "$PROFILE" ] || return 1
  local names values
  # (the arrays may span lines: read the file as one line)
  names="$(tr '\n' ' ' < "$PROFILE" | sed -n 's/.*String\[\] NAMES = {\([^}]*\)};.*/\1/p' | tr -d '" ' | tr ',' ' ')"
  values="$(tr '\n' ' ' < "$PROFILE" | sed -n 's/.*int\[\] GPU = {\([^}]*\)};.*/\1/p' | tr -d ' ' | tr ',' ' ')"
  read -r -a n <<< "$names"; read -r -a v <<< "$values"
  [ "${#n[@]}" -gt 0 ] && [ "${#n[@]}" = "${#v[@]}" ] \
    || die "could not read NAMES and the GPU row from $PROFILE (found '${names}' / '${values}'): set CUDA_DEFINES"
  local out=() i
  for i in "${!n[@]}"; do out+=("${n[$i]}=${v[$i]}"); done
  echo "${out[*]}"
}

# ---- --check: every CUDA entry compiles ---------------------------------------------------
if [ "$MODE" = check ]; then
  [ -n "$NVCC" ] || die "nvcc not found (PATH, NVCC, /usr/local/cuda/bin): CI needs it to compile kernels/*.cu"
  DEFINES="$(defines)" || die "${PROFILE#"$ROOT"/} not found: set CUDA_DEFINES"
  read -r -a DEFS <<< "$DEFINES"
  DFLAGS=(); for d in "${DEFS[@]}"; do DFLAGS+=("-D$d"); done
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  status=0
  for cu in "$KERNELS"/*.cu; do
    [ -e "$cu" ] || die "no kernels/*.cu"
    if "$NVCC" -fatbin -I "$KERNELS" "${DFLAGS[@]}" "${GENCODE[@]}" -o "$tmp/$(basename "$cu").fatbin" "$cu"; then
      say "ok: kernels/$(basename "$cu") ($(stat -c %s "$tmp/$(basename "$cu").fatbin") bytes, $TARGETS)"
    else
      say "FAILED: kernels/$(basename "$cu")"; status=1
    fi
  done
  exit $status
fi

# ---- --report: what ptxas gives each kernel on sm_90 (H100/H200) --------------------------
# A compile-time fact, no GPU needed: registers per thread (≤ 128 keeps two 256-item groups per
# multiprocessor, the launch bounds of warp_gemm.h), spills (local-memory traffic inside a
# kernel: none allowed), stack frame and static shared memory per group.
if [ "$MODE" = report ]; then
  [ -n "$NVCC" ] || die "nvcc not found (PATH, NVCC, /usr/local/cuda/bin): --report needs it"
  DEFINES="$(defines)" || die "${PROFILE#"$ROOT"/} not found: set CUDA_DEFINES"
  read -r -a DEFS <<< "$DEFINES"
  DFLAGS=(); for d in "${DEFS[@]}"; do DFLAGS+=("-D$d"); done
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  resolve "$ENTRY" 0 > "$tmp/$ENTRY"
  "$NVCC" -cubin -arch=sm_90 -Xptxas -v "${DFLAGS[@]}" -o "$tmp/mlp.cubin" "$tmp/$ENTRY" > "$tmp/ptxas.txt" 2>&1 \
    || { cat "$tmp/ptxas.txt" >&2; die "nvcc failed on kernels/$ENTRY"; }
  say "kernels/$ENTRY for sm_90, nvcc $("$NVCC" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p'), -D ${DEFINES}"
  # ptxas prints, per kernel: "Compiling entry function 'NAME'", then "N bytes stack frame, S bytes
  # spill stores, L bytes spill loads", then "Used R registers, … B bytes smem"
  awk '
    /Compiling entry function/ { match($0, /'"'"'[^'"'"']*'"'"'/); name = substr($0, RSTART + 1, RLENGTH - 2); next }
    /bytes stack frame/ && name != "" { stack = $1; stores = $5; loads = $9; next }
    /Used [0-9]+ registers/ && name != "" {
      match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15) + 0
      smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11) + 0
      printf "%-26s %9d %12d %11d %11d %10d\n", name, regs, stores, loads, stack, smem
      if (regs > 128 || stores > 0 || loads > 0) bad = bad " " name
      name = ""
    }
    BEGIN { printf "%-26s %9s %12s %11s %11s %10s\n", "kernel", "registers", "spill stores", "spill loads", "stack bytes", "smem bytes" }
    END { if (bad != "") { print "over 128 registers or spilling:" bad > "/dev/stderr"; exit 1 } }
  ' "$tmp/ptxas.txt"
  exit $?
fi

# ---- build ----------------------------------------------------------------------------
mkdir -p "$OUT"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
resolve "$ENTRY" 0 > "$tmp/$ENTRY"
SHA="$(sha256sum "$tmp/$ENTRY" | cut -d' ' -f1)"
if ! DEFINES="$(defines)"; then
  say "no ${PROFILE#"$ROOT"/} in this tree (no device engine to load a fatbin): nothing to build"
  exit 0
fi
BASE="${ENTRY%.cu}"

if [ -z "$NVCC" ]; then
  if [ "$OUT" = "$PREBUILT" ]; then die "nvcc not found: cannot refresh native/prebuilt"; fi
  if [ -f "$PREBUILT/$BASE.fatbin" ] && [ -f "$PREBUILT/$BASE.fatbin.properties" ]; then
    cp -f "$PREBUILT/$BASE.fatbin" "$PREBUILT/$BASE.fatbin.properties" "$OUT/"
    if grep -qx "source.sha256=$SHA" "$PREBUILT/$BASE.fatbin.properties" \
       && grep -qx "defines=$DEFINES" "$PREBUILT/$BASE.fatbin.properties"; then
      say "nvcc not found: using the committed native/prebuilt/$BASE.fatbin (up to date)"
    else
      say "WARNING: nvcc not found and native/prebuilt/$BASE.fatbin is stale (other kernel source or macros):"
      say "         the CUDA backend will compile the kernels at run time with NVRTC, or say it cannot."
      say "         Refresh it on a machine with nvcc: bash native/build-cuda.sh --prebuilt"
    fi
  else
    say "nvcc not found and no committed fatbin: the CUDA backend needs NVRTC at run time"
  fi
  exit 0
fi

VERSION="$("$NVCC" --version | sed -n 's/.*release \([0-9.]*\), V\([0-9.]*\).*/\2/p')"
RELEASE="${VERSION%.*}"
MIN=$(( ${RELEASE%%.*} * 1000 + ${RELEASE#*.} * 10 ))
RECORD="$tmp/$BASE.fatbin.properties"
{
  echo "# written by native/build-cuda.sh: what $BASE.fatbin was built from (see ShippedFatbin)"
  echo "source=kernels/$ENTRY"
  echo "source.sha256=$SHA"
  echo "defines=$DEFINES"
  echo "targets=$TARGETS"
  echo "nvcc=$VERSION"
  echo "cuda.driver.min=$MIN"
} > "$RECORD"
# A developer's build (nvcc present, not CI) also keeps the committed copy in step with the
# kernels, so that whoever edits a kernel commits the matching fatbin with it (nvcc's output is
# the same bytes for the same input). CI only checks it (ShippedFatbinTest), never refreshes it.
refresh_prebuilt() {
  [ "$OUT" != "$PREBUILT" ] && [ "${CI:-}" != true ] && [ "${DELTAPROP_KEEP_PREBUILT:-0}" != 1 ] || return 0
  cmp -s "$RECORD" "$PREBUILT/$BASE.fatbin.properties" && return 0
  mkdir -p "$PREBUILT"
  cp -f "$OUT/$BASE.fatbin" "$OUT/$BASE.fatbin.properties" "$PREBUILT/"
  say "refreshed the committed native/prebuilt/$BASE.fatbin for the changed kernels: commit it with them"
}
if [ -f "$OUT/$BASE.fatbin" ] && cmp -s "$RECORD" "$OUT/$BASE.fatbin.properties"; then
  say "up to date: ${OUT#"$ROOT"/}/$BASE.fatbin"
  refresh_prebuilt
  exit 0
fi
read -r -a DEFS <<< "$DEFINES"
DFLAGS=(); for d in "${DEFS[@]}"; do DFLAGS+=("-D$d"); done
say "nvcc $VERSION: kernels/$ENTRY (${DEFINES}) -> ${OUT#"$ROOT"/}/$BASE.fatbin for $TARGETS"
"$NVCC" -fatbin "${DFLAGS[@]}" "${GENCODE[@]}" -o "$tmp/$BASE.fatbin" "$tmp/$ENTRY"
cp -f "$tmp/$BASE.fatbin" "$RECORD" "$OUT/"
say "done: $(stat -c %s "$OUT/$BASE.fatbin") bytes"
refresh_prebuilt
