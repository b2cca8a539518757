#!/usr/bin/env bash
# The decoder-only build (-DVAEC_TORCH=OFF; README.md "Decoder-only build"), as CI checks it:
#
#   scripts/check-decoder-only.sh [FULL_BUILD]      (default: build; the decoder-only tree is
#                                                     VAEC_DECODER_BUILD, default build-dec)
#
# 1. Configures and builds it (Release, with libvaec.so but not a second FFmpeg) and runs its
#    tests (the ones that need no encoder: entropy, bitstream, integer synthesis, hostile
#    streams through the whole decoder, I/O, metrics).
# 2. Checks that it links no LibTorch, and that `encode` and `train` fail with a message naming
#    the full build and leave no output file.
# 3. Streams from the full build (quality 100 with a refinement sub-stream; quality 40 with
#    latent P-frames; quality 30 with motion P-frames) decode to the same pixels (md5) in both
#    builds, with 1 and 2 threads.
# 4. When FULL_BUILD has the patched FFmpeg: that ffmpeg, run with the decoder-only
#    libvaec.so.0, decodes the plugin's Matroska file to the same pixels, and refuses to encode.
# Exit status: 0 all passed, 1 a check failed, 2 a build or tool failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
full=${1:-build}
[[ $full = /* ]] || full=$root/$full
dec=${VAEC_DECODER_BUILD:-$root/build-dec}
[[ $dec = /* ]] || dec=$root/$dec
jobs=$(nproc 2>/dev/null || echo 2)
work=$(mktemp -d "${TMPDIR:-/tmp}/vaec-decoder-only.XXXXXX")
trap 'rm -rf "$work"' EXIT
die() { echo "check-decoder-only: $*" >&2; exit 2; }
failed=0
fail() { echo "FAIL: $*"; failed=1; }
md5() { md5sum < "$1" | cut -d' ' -f1; }

echo "== building the decoder-only tree in $dec"
cmake -S "$root" -B "$dec" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAEC_TORCH=OFF -DVAEC_PLUGIN=ON \
  -DVAEC_PLUGIN_FFMPEG=OFF > "$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; die "configuring failed"; }
cmake --build "$dec" -j "$jobs" > "$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; die "building failed"; }
echo "== its tests"
ctest --test-dir "$dec" --output-on-failure -j "$jobs" || fail "decoder-only tests"

full_vaec=$full/tools/vaec dec_vaec=$dec/tools/vaec
[[ -x $full_vaec ]] || die "$full_vaec not built"
echo "== no LibTorch, and no encoder"
for f in "$dec_vaec" "$dec/ffmpeg-vaec/lib/libvaec.so.0"; do
  if ldd "$f" | grep -Eq 'libtorch|libc10|libdnnl'; then fail "$(basename "$f") links LibTorch or oneDNN"; fi
done
for cmd in "encode $root/samples/balle.mp4 -o $work/x.vae --frames 1" "train --data $work --out $work/t"; do
  # shellcheck disable=SC2086
  if "$dec_vaec" $cmd 2> "$work/err"; then fail "decoder-only 'vaec ${cmd%% *}' succeeded"; fi
  grep -q 'VAEC_TORCH=OFF' "$work/err" || fail "'vaec ${cmd%% *}' does not say it needs the full build: $(cat "$work/err")"
done
[[ ! -e $work/x.vae && ! -e $work/t ]] || fail "a refused command left output behind"
echo "   encode and train refused: $(head -c 120 "$work/err")..."

echo "== the full build's streams decode to the same pixels"
"$full_vaec" --quiet encode "$root/samples/balle.mp4" -o "$work/q100.vae" --frames 3 --quality 100
"$full_vaec" --quiet encode "$root/samples/balle.mp4" -o "$work/q40.vae" --frames 6 --quality 40 --gop 3
"$full_vaec" --quiet encode "$root/samples/balle.mp4" -o "$work/mc.vae" --frames 8 --quality 30 --gop 8
for s in q100 q40 mc; do
  "$full_vaec" --quiet decode "$work/$s.vae" -o "$work/$s-full.y4m"
  for t in 1 2; do
    "$dec_vaec" --quiet --threads "$t" decode "$work/$s.vae" -o "$work/$s-dec$t.y4m" || die "decoding $s.vae failed"
    [[ $(md5 "$work/$s-full.y4m") = $(md5 "$work/$s-dec$t.y4m") ]] \
      && echo "   $s.vae, --threads $t: identical (md5 $(md5 "$work/$s-full.y4m"))" \
      || fail "$s.vae: the decoder-only build (--threads $t) decodes other pixels"
  done
done
"$dec_vaec" info "$work/q40.vae" > /dev/null || fail "vaec info"
"$dec_vaec" --quiet eval "$work/q40-full.y4m" "$work/q40-dec1.y4m" --summary | grep -q '100.000' \
  || fail "vaec eval of identical videos is not 100 dB"

ffmpeg=$full/ffmpeg-vaec/bin/ffmpeg
if [[ -x $ffmpeg ]]; then
  echo "== FFmpeg's decoder on the decoder-only libvaec"
  ff() { "$ffmpeg" -hide_banner -nostdin -loglevel error -y "$@"; }
  ff -i "$root/samples/balle.mp4" -frames:v 4 -an -c:v libvaec -quality 60 "$work/plugin.mkv"
  ff -i "$work/plugin.mkv" -f yuv4mpegpipe "$work/plugin-full.y4m"
  LD_LIBRARY_PATH=$dec/ffmpeg-vaec/lib ff -i "$work/plugin.mkv" -f yuv4mpegpipe "$work/plugin-dec.y4m" \
    || fail "ffmpeg with the decoder-only libvaec cannot decode"
  [[ -s $work/plugin-dec.y4m && $(md5 "$work/plugin-full.y4m") = $(md5 "$work/plugin-dec.y4m") ]] \
    && echo "   ffmpeg + decoder-only libvaec: identical pixels (md5 $(md5 "$work/plugin-dec.y4m"))" \
    || fail "ffmpeg with the decoder-only libvaec decodes other pixels"
  # The encoder's refusal proves the decoder-only library is the one that was loaded.
  if LD_LIBRARY_PATH=$dec/ffmpeg-vaec/lib ff -i "$root/samples/balle.mp4" -frames:v 1 -c:v libvaec "$work/x.mkv" \
    2> "$work/err"; then
    fail "ffmpeg with the decoder-only libvaec encoded"
  fi
  grep -q 'VAEC_TORCH=OFF' "$work/err" || fail "ffmpeg's encoder error does not name the build: $(cat "$work/err")"
fi

((failed == 0)) && echo "decoder-only build: all checks passed"
exit "$failed"
