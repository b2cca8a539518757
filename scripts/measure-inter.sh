#!/usr/bin/env bash
# Measures what P-frames buy on each clip (issue 6), with the built vaec and its default model:
#   - bytes of I- and P-frames at --quality Q and --gop G, and their mean PSNR-YUV;
#   - the bytes an I-frame needs for the P-frames' PSNR-YUV (all-intra encodes at Q-10, Q,
#     Q+10, interpolated log-linearly in rate), and the P/I ratio at that equal quality;
#   - drift: in every complete GOP, the last frame's PSNR-YUV minus the second frame's.
# Usage: scripts/measure-inter.sh [-q Q] [-g G] [-n FRAMES] CLIP...   (needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."
VAEC=${VAEC:-build/tools/vaec}
Q=50 G=32 N=64
while getopts q:g:n: opt; do
  case $opt in q) Q=$OPTARG ;; g) G=$OPTARG ;; n) N=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
(($#)) || { echo "usage: $0 [-q Q] [-g G] [-n FRAMES] CLIP..." >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

code() {  # code CLIP_Y4M QUALITY GOP NAME: encode, decode, info + eval JSON
  "$VAEC" --quiet encode "$1" -o "$work/$4.vae" --quality "$2" --gop "$3"
  "$VAEC" --quiet decode "$work/$4.vae" -o "$work/$4.y4m"
  "$VAEC" info --json "$work/$4.vae" > "$work/$4.info.json"
  "$VAEC" eval --json "$1" "$work/$4.y4m" > "$work/$4.eval.json"
}

printf '%-28s %6s %5s %9s %8s %9s %8s %9s %7s %s\n' clip frames I "I bytes" "I dB" "P bytes" "P dB" \
  "I@P B" "P/I" "drift per GOP (dB)"
for clip in "$@"; do
  "$VAEC" --quiet convert "$clip" -o "$work/ref.y4m" --frames "$N"
  code "$work/ref.y4m" "$Q" "$G" inter
  for q in $((Q - 10)) "$Q" $((Q + 10)); do code "$work/ref.y4m" "$q" 1 "intra$q"; done
  python3 - "$work" "$Q" "$G" "$(basename "$clip")" <<'PY'
import json, math, sys
work, q, gop, name = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def load(tag):
    info = json.load(open(f"{work}/{tag}.info.json"))
    ev = json.load(open(f"{work}/{tag}.eval.json"))
    return [(f["type"], f["bytes"], e["psnr_yuv"]) for f, e in zip(info["per_frame"], ev["per_frame"])]
frames = load("inter")
mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
i_frames = [f for f in frames if f[0] == "I"]
p_frames = [f for f in frames if f[0] == "P"]
p_db = mean([f[2] for f in p_frames])
# All-intra curve: (mean PSNR-YUV, mean bytes) at Q-10, Q, Q+10; log-rate interpolation at p_db.
curve = sorted((mean([f[2] for f in load(f"intra{x}")]), mean([f[1] for f in load(f"intra{x}")]))
               for x in (q - 10, q, q + 10))
def bytes_at(db):
    for (d0, b0), (d1, b1) in zip(curve, curve[1:]):
        if d0 <= db <= d1 or (db < d0 and (d0, b0) == curve[0]) or (db > d1 and (d1, b1) == curve[-1]):
            t = (db - d0) / (d1 - d0) if d1 != d0 else 0
            return math.exp(math.log(b0) + t * (math.log(b1) - math.log(b0)))
i_at_p = bytes_at(p_db) if p_frames else float("nan")
# Drift: GOPs are the runs from one I-frame to the next; complete ones have `gop` frames.
drift, start = [], 0
for k in range(1, len(frames) + 1):
    if k == len(frames) or frames[k][0] == "I":
        if k - start == gop: drift.append(frames[k - 1][2] - frames[start + 1][2])
        start = k
print(f"{name[:28]:<28} {len(frames):>6} {len(i_frames):>5} {mean([f[1] for f in i_frames]):>9.0f} "
      f"{mean([f[2] for f in i_frames]):>8.2f} {mean([f[1] for f in p_frames]):>9.0f} {p_db:>8.2f} "
      f"{i_at_p:>9.0f} {mean([f[1] for f in p_frames]) / i_at_p:>7.2f} "
      + (" ".join(f"{d:+.2f}" for d in drift) or "-"))
PY
done
echo "(I@P B: bytes an all-intra encode needs for the P-frames' mean PSNR-YUV; P/I = P bytes / that; quality $Q, gop $G)"
