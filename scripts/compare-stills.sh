#!/usr/bin/env bash
# Intra coding against x264 and x265 on still images (issue 4): each image, cropped to even
# dimensions and converted to 4:2:0, goes through `vaec eval --compare x264,x265 --gop 1`;
# prints each image's BD-rates and their median and mean, overall and for images of at least
# MIN_PIXELS. vaec's rate is its .vae file; the peers' is their coded stream (packets and
# parameter sets, without Matroska's framing or the encoder-version SEI: tools/io/coded_size.h),
# which on a still of a few KB would otherwise be a large share of their bytes.
# Usage: scripts/compare-stills.sh [-m MIN_PIXELS] IMAGE...   (needs ffmpeg and python3)
# VAEC_PRESET=slow (say) runs vaec at that preset (default: medium).
set -euo pipefail
cd "$(dirname "$0")/.."
VAEC=${VAEC:-build/tools/vaec}
MIN_PIXELS=480000
while getopts m: opt; do
  case $opt in m) MIN_PIXELS=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
(($#)) || { echo "usage: $0 [-m MIN_PIXELS] IMAGE..." >&2; exit 2; }
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

i=0
for img in "$@"; do
  i=$((i + 1))
  ffmpeg -v error -y -i "$img" -vf "crop=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p" -frames:v 1 "$work/in.y4m"
  size=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0 "$work/in.y4m")
  echo "$size" > "$work/$i.size"
  "$VAEC" --quiet eval --compare x264,x265 "$work/in.y4m" --gop 1 --frames 1 --vaec-preset "${VAEC_PRESET:-medium}" > "$work/$i.txt" 2>&1 ||
    echo "(vaec eval failed on $img)" >> "$work/$i.txt"
  echo "$img" > "$work/$i.name"
  echo "[$i/$#] $img" >&2
done

python3 - "$work" "$i" "$MIN_PIXELS" <<'PY'
import re, statistics, sys
work, n, min_px = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
for k in range(1, n + 1):
    text = open(f"{work}/{k}.txt").read()
    w, h = map(int, open(f"{work}/{k}.size").read().strip().split(","))
    bd = {}
    for peer in ("x264", "x265"):
        m = re.search(rf"against {peer}: ([-+\d.]+) %", text)
        bd[peer] = float(m.group(1)) if m else None  # None: PSNR ranges do not overlap
    rows.append((open(f"{work}/{k}.name").read().strip(), w * h, bd))
print(f"{'image':<60} {'pixels':>9} {'vs x264':>9} {'vs x265':>9}")
fmt = lambda v: "n/a" if v is None else f"{v:+.1f}%"
for name, px, bd in rows:
    print(f"{name[-60:]:<60} {px:>9} {fmt(bd['x264']):>9} {fmt(bd['x265']):>9}")
for label, sel in (("all images", rows), (f">= {min_px} pixels", [r for r in rows if r[1] >= min_px])):
    for peer in ("x264", "x265"):
        v = [r[2][peer] for r in sel if r[2][peer] is not None]
        if v:
            print(f"{label}, vs {peer}: median {statistics.median(v):+.1f} %, mean {statistics.mean(v):+.1f} % "
                  f"({len(v)} of {len(sel)} images with overlapping PSNR ranges)")
PY
