#!/usr/bin/env bash
# The main job: compress the bundled sample with the bundled model, decompress it to mp4,
# and report bitrate and PSNR-YUV next to x264 at a similar bitrate.
# Usage: scripts/run-sample.sh [OUTDIR] [QUALITY]     (default: out/ and quality 50)
set -euo pipefail
cd "$(dirname "$0")/.."
# LibTorch's OpenMP threads spin-wait by default, which starves a busy 2-core machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
VAEC=${VAEC_BUILD_DIR:-build}/tools/vaec
OUT=${1:-out}
QUALITY=${2:-50}
SAMPLE=samples/balle.mp4
mkdir -p "$OUT"

"$VAEC" encode "$SAMPLE" -o "$OUT/balle.vae" --quality "$QUALITY"
"$VAEC" decode "$OUT/balle.vae" -o "$OUT/balle-decoded.mp4"
"$VAEC" --quiet decode "$OUT/balle.vae" -o "$OUT/balle-decoded.y4m"  # exact, for measuring
"$VAEC" info --no-frames "$OUT/balle.vae"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
kbps=$("$VAEC" info --json "$OUT/balle.vae" | json 'round(d["mean_kbps"], 1)')
psnr=$("$VAEC" --quiet eval --json --summary "$SAMPLE" "$OUT/balle-decoded.y4m" | json 'round(d["mean"]["psnr_yuv"], 2)')

# x264 at the same average bitrate, low delay (no B-frames), the same intra period (32). Its rate
# is its coded stream, as `vaec eval --compare` counts it: the packets without Matroska's framing
# and without x264's version SEI (NAL type 6, dropped by the bitstream filter).
ffmpeg -v error -y -i "$SAMPLE" -c:v libx264 -preset medium -b:v "${kbps}k" -bf 0 -g 32 \
  -bsf:v filter_units=remove_types=6 "$OUT/balle-x264.mkv"
x264_bytes=$(ffprobe -v error -select_streams v:0 -show_entries packet=size -of csv=p=0 "$OUT/balle-x264.mkv" |
  awk '{ s += $1 } END { print s }')
frames=$("$VAEC" info --json "$OUT/balle.vae" | json 'd["frames"]')
x264_kbps=$(python3 -c "print(round($x264_bytes*8/($frames/25)/1000, 1))")
x264_psnr=$("$VAEC" --quiet eval --json --summary "$SAMPLE" "$OUT/balle-x264.mkv" | json 'round(d["mean"]["psnr_yuv"], 2)')

echo
echo "sample: $SAMPLE ($frames frames), decoded video: $OUT/balle-decoded.mp4"
echo "vaec quality $QUALITY: $kbps kbit/s, PSNR-YUV $psnr dB"
echo "x264 medium (same bitrate target, low delay): $x264_kbps kbit/s, PSNR-YUV $x264_psnr dB"
