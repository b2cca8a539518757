#!/usr/bin/env bash
# What the decoder-only build (-DVAEC_TORCH=OFF) weighs next to the full one (README.md,
# "Decoder-only build"): the `vaec` binary, the shared libraries it loads, start-up time, and
# the wall time and peak memory of decoding a stream. Prints one table; run it on a quiet
# machine (stop the trainer first).
#
#   scripts/bench-decoder-only.sh [FULL_BUILD] [DECODER_BUILD]   (default: build build-dec)
#
# Environment: VAEC_INPUT (samples/balle.mp4), VAEC_FRAMES (10), VAEC_QUALITY (50),
# VAEC_RUNS (start-up runs, 10).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
full=${1:-build}; dec=${2:-build-dec}
[[ $full = /* ]] || full=$root/$full
[[ $dec = /* ]] || dec=$root/$dec
input=${VAEC_INPUT:-$root/samples/balle.mp4}
frames=${VAEC_FRAMES:-10}
quality=${VAEC_QUALITY:-50}
runs=${VAEC_RUNS:-10}
for b in "$full" "$dec"; do [[ -x $b/tools/vaec ]] || { echo "$b/tools/vaec not built" >&2; exit 2; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/vaec-decbench.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$full/tools/vaec" --quiet encode "$input" -o "$work/s.vae" --frames "$frames" --quality "$quality"

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# Sum of the sizes of the shared libraries the dynamic loader maps for a binary.
libs_bytes() {
  ldd "$1" | awk '/=> \// { print $3 }' | sort -u | xargs -r stat -L -c %s | awk '{ s += $1 } END { print s + 0 }'
}
# Median wall milliseconds of `vaec --version` (process start and dynamic linking).
startup_ms() {
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N); "$1" --version > /dev/null; t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

printf '%-14s %12s %14s %12s %16s %14s %12s\n' build "binary MiB" "shared libs MiB" "start-up ms" "decode wall s" "peak RSS MiB" "y4m md5"
for b in "$full" "$dec"; do
  v=$b/tools/vaec
  /usr/bin/time -f '%e %M' -o "$work/time" "$v" --quiet decode "$work/s.vae" -o "$work/out.y4m"
  read -r wall rss_kib < "$work/time"
  printf '%-14s %12s %14s %12s %16s %14s %12s\n' "$(basename "$b")" "$(mib "$(stat -c %s "$v")")" \
    "$(mib "$(libs_bytes "$v")")" "$(startup_ms "$v")" "$wall" "$(awk -v k="$rss_kib" 'BEGIN { printf "%.0f", k / 1024 }')" \
    "$(md5sum < "$work/out.y4m" | cut -c1-8)"
done
echo "(stream: $frames frames of $(basename "$input") at --quality $quality, made by the full build; $(nproc) cores)"
