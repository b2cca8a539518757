#!/usr/bin/env bash
# What latent optimization (the slow presets) buys against the time it takes, on stills:
# BD-rate against no optimization (real bytes, the decoder's pictures) and seconds per
# megapixel, for each iteration count; a table on stdout and OUTDIR/latent-optimization.svg
# (the project's own plotting). docs/presets.md shows the result.
#
#   scripts/preset-curve.sh MODEL.vaem OUTDIR IMAGE...
#   ITERATIONS="0 25 50 100 200" LEARNING_RATE=0.02 QUALITIES=10,25,40,50 (the defaults)
#
# Needs the measurement tools: cmake --build build --target latent_opt_rd plot_points
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VAEC_BUILD_DIR:-$ROOT/build}
if (($# < 3)); then sed -n '2,10p' "$0"; exit 2; fi
model=$1 out=$2; shift 2
iterations=${ITERATIONS:-0 25 50 100 200}
lr=${LEARNING_RATE:-0.02}
qualities=${QUALITIES:-10,25,40,50}
for tool in "$BUILD/tests/model/latent_opt_rd" "$BUILD/tests/compare/plot_points"; do
  [ -x "$tool" ] || { echo "preset-curve: $tool is missing: cmake --build build --target latent_opt_rd plot_points" >&2; exit 1; }
done
mkdir -p "$out"
megapixels=$(for f in "$@"; do ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$f"; done |
             awk -F, '{s += $1 * $2} END {print s / 1e6}')
points="$out/points.txt"
: > "$points"
printf "%10s %10s %14s\n" iterations BD-rate "s/megapixel"
for it in $iterations; do
  "$BUILD/tests/model/latent_opt_rd" "$model" "$qualities" "$it" "$lr" "$@" > "$out/iterations-$it.txt" 2> "$out/iterations-$it.log"
  # Seconds per optimization, over all images and qualities -> per megapixel of picture.
  seconds=$(awk -v mp="$megapixels" -v n="$#" '/optimizations,/ {print $3 * n / mp}' "$out/iterations-$it.log")
  seconds=${seconds:-0}
  bd=$(python3 "$ROOT/scripts/model-rd-summary.py" --bd "$out/iterations-0.txt" "$out/iterations-$it.txt")
  printf "%10s %9s%% %14.1f\n" "$it" "$bd" "$seconds"
  echo "SGA $seconds $bd" >> "$points"
done
"$BUILD/tests/compare/plot_points" "$out/latent-optimization.svg" "Latent optimization: gain against time" \
  "seconds of optimization per megapixel (2 threads)" "BD-rate against no optimization (%)" < "$points"
echo "preset-curve: $out/latent-optimization.svg"
