#!/usr/bin/env bash
# Determinism check (docs/architecture.md "Decisions", docs/reliability.md): decoding must not depend on the thread count, the
# process, the build or the instruction set (the integer synthesis, docs/bitstream.md §9).
#
#   scripts/check-determinism.sh [BUILD_DIR]          (default: build)
#
# 1. Encodes the sample's first frames with the bundled model, --threads 1, at quality 100, so
#    the stream has a refinement sub-stream (bitstream 2.x) whose integer offsets are checked too.
# 2. In separate processes, for --threads 1, 2 and 4:
#    - tests/determinism/vaec-decode-hashes runs the library's decoder and prints per-frame
#      hashes of the integers it holds (the Q10 latents with the integer h_s means, the CDF/table
#      indices, the P-frame activity and class scales, the refinement's offsets);
#      these MUST be identical (a single different CDF index desynchronizes a frame).
#    - `vaec decode` writes .y4m; the decoded pixels MUST be identical too (the synthesis is
#      integer arithmetic). VAEC_PIXELS=report only reports differences.
# 3. For every --cpu level this CPU has (generic, avx2, avx512), on that stream, on a
#    quality-40 stream with latent P-frames and on a quality-30 one with motion P-frames: the
#    streams encoded and the pixels decoded with that level MUST equal the default ones (md5).
# 4. With VAEC_O0_BUILD=DIR, the symbol dump and decoded .y4m of an -O0 build must equal
#    BUILD_DIR's, and so must the .vae stream it encodes if DIR is a full build with tools/vaec.
#    DIR is configured (-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0, decoder-only
#    unless VAEC_O0_TORCH=ON: quicker to build) and its vaec-decode-hashes is brought up to
#    date (a few minutes when new).
#
# Environment: VAEC_BIN (the vaec binary; default BUILD_DIR/tools/vaec), VAEC_INPUT (samples/balle.mp4), VAEC_MODEL (samples/vaec.vaem), VAEC_FRAMES (3), VAEC_QUALITY (100),
# VAEC_THREADS ("1 2 4"), VAEC_PIXELS (strict|report), VAEC_KEEP=1 keeps the work folder.
# Exit status: 0 all checks passed, 1 a difference, 2 a tool failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[[ $build = /* ]] || build=$root/$build
o0=${VAEC_O0_BUILD:-}
[[ -z $o0 || $o0 = /* ]] || o0=$root/$o0
input=${VAEC_INPUT:-$root/samples/balle.mp4}
model=${VAEC_MODEL:-$root/samples/vaec.vaem}
frames=${VAEC_FRAMES:-3}
quality=${VAEC_QUALITY:-100}
threads_list=${VAEC_THREADS:-1 2 4}
pixels=${VAEC_PIXELS:-strict}

work=$(mktemp -d "${TMPDIR:-/tmp}/vaec-determinism.XXXXXX")
[[ ${VAEC_KEEP:-0} = 1 ]] && echo "work folder: $work" || trap 'rm -rf "$work"' EXIT

die() { echo "check-determinism: $*" >&2; exit 2; }
vaec=${VAEC_BIN:-$build/tools/vaec}
[[ -x $vaec ]] || die "$vaec not built"
if [[ -n $o0 ]]; then
  # Configured every time (seconds): the hash tool needs the tests' part of the tree.
  echo "== configuring the -O0 build in $o0"
  cmake -S "$root" -B "$o0" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 \
    -DVAEC_TORCH="${VAEC_O0_TORCH:-OFF}" -DVAEC_BUILD_TESTS=ON > "$work/o0-configure.log" 2>&1 || { cat "$work/o0-configure.log" >&2; die "configuring $o0 failed"; }
  # vaec too when the -O0 tree has one (built by hand): a stale encoder would differ by version,
  # not by optimisation level.
  o0_targets=(vaec-decode-hashes)
  o0_encodes=0
  [[ -x $o0/tools/vaec ]] && grep -q '^VAEC_TORCH:BOOL=ON' "$o0/CMakeCache.txt" && o0_encodes=1 && o0_targets+=(vaec)
  echo "== building ${o0_targets[*]} at -O0 in $o0"
  cmake --build "$o0" --target "${o0_targets[@]}" > "$work/o0-build.log" 2>&1 \
    || { tail -30 "$work/o0-build.log" >&2; die "building $o0 failed"; }
fi
for b in "$build" ${o0:+"$o0"}; do
  [[ -x $b/tests/determinism/vaec-decode-hashes ]] || die "$b/tests/determinism/vaec-decode-hashes not built"
done

failed=0
fail() { echo "FAIL: $*"; failed=1; }

# Compares the pictures of two .y4m files (headers aside): prints, per frame and plane, how many
# samples differ and the max difference; exit status 1 when any differ.
y4m_diff() {
  python3 - "$1" "$2" <<'PY'
import sys
def frames(path):
    data = open(path, 'rb').read()
    head, rest = data.split(b'\n', 1)
    f = dict((t[:1], t[1:]) for t in head.split()[1:])
    w, h = int(f[b'W']), int(f[b'H'])
    cw, ch = (w + 1) // 2, (h + 1) // 2
    out = []
    while rest:
        line, rest = rest.split(b'\n', 1)
        y, u, v = rest[:w*h], rest[w*h:w*h+cw*ch], rest[w*h+cw*ch:w*h+2*cw*ch]
        rest = rest[w*h+2*cw*ch:]
        out.append((y, u, v))
    return out
a, b = frames(sys.argv[1]), frames(sys.argv[2])
if len(a) != len(b):
    print(f'     frame counts differ: {len(a)} vs {len(b)}'); sys.exit(1)
status = 0
for i, (fa, fb) in enumerate(zip(a, b)):
    for name, pa, pb in zip('YUV', fa, fb):
        d = [abs(x - y) for x, y in zip(pa, pb) if x != y]
        if d:
            print(f'     frame {i} plane {name}: {len(d)} of {len(pa)} samples differ, max |diff| {max(d)}')
            status = 1
sys.exit(status)
PY
}

# Pixel comparison: $1 $2 the files, $3 what is compared. Strict mode fails on a difference.
compare_pixels() {
  if y4m_diff "$1" "$2" > "$work/pixdiff"; then
    echo "   decoded pixels, $3: identical"
  else
    echo "   decoded pixels, $3: DIFFERENT"
    cat "$work/pixdiff"
    [[ $pixels = report ]] || fail "decoded pixels differ: $3"
  fi
}

run() { "$@" 2>"$work/stderr" || { cat "$work/stderr" >&2; die "failed: $*"; }; }

echo "== encode $frames frames of $(basename "$input") (--threads 1, --quality $quality, $build)"
run "$vaec" --quiet --threads 1 encode "$input" -o "$work/o2.vae" --frames "$frames" --quality "$quality" --model "$model"

first=
for t in $threads_list; do
  echo "== decode --threads $t (separate processes)"
  run "$build/tests/determinism/vaec-decode-hashes" --threads "$t" --y4m "$work/tool_t$t.y4m" "$model" "$work/o2.vae" \
    > "$work/dump_t$t.txt"
  sed 's/ Y=.*//' "$work/dump_t$t.txt" > "$work/sym_t$t.txt"
  run "$vaec" --quiet --threads "$t" decode "$work/o2.vae" -o "$work/dec_t$t.y4m" --model "$model"
  compare_pixels "$work/tool_t$t.y4m" "$work/dec_t$t.y4m" "vaec decode vs vaec-decode-hashes, both --threads $t"
  [[ $(grep -c '^frame' "$work/sym_t$t.txt") = "$frames" ]] || fail "threads $t: expected $frames frames in the symbol dump"
  if [[ -z $first ]]; then first=$t; continue; fi
  if cmp -s "$work/sym_t$first.txt" "$work/sym_t$t.txt"; then
    echo "   decoder integers (Q10 latents, table indices, activity, class scales, refinement offsets): identical to --threads $first"
  else
    fail "threads $t: the decoder's integers differ from --threads $first"
    diff "$work/sym_t$first.txt" "$work/sym_t$t.txt" || true
  fi
  compare_pixels "$work/dec_t$first.y4m" "$work/dec_t$t.y4m" "vaec decode --threads $t vs --threads $first"
done

# The instruction-set levels of common/cpu.h this CPU has.
levels=generic
grep -qw avx2 /proc/cpuinfo && levels+=" avx2"
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo &&
  grep -qw avx512_vnni /proc/cpuinfo; then levels+=" avx512"; fi
md5() { md5sum < "$1" | cut -d' ' -f1; }
# Three streams: the one above (quality $quality, refinement), one at quality 40 with latent
# P-frames, and one at quality 30 whose P-frames are motion P-frames (bitstream 3.0; with the
# shipped model and sample: I M M M M M M I).
run "$vaec" --quiet --threads 2 encode "$input" -o "$work/q40.vae" --frames 6 --quality 40 --gop 3 --model "$model"
run "$vaec" --quiet --threads 2 decode "$work/q40.vae" -o "$work/q40.y4m" --model "$model"
run "$vaec" --quiet --threads 2 encode "$input" -o "$work/mc.vae" --frames 8 --quality 30 --gop 8 --model "$model"
run "$vaec" --quiet --threads 2 decode "$work/mc.vae" -o "$work/mc.y4m" --model "$model"
for level in $levels; do
  echo "== --cpu $level (--threads 2)"
  run "$vaec" --quiet --threads 2 --cpu "$level" encode "$input" -o "$work/cpu_$level.vae" --frames "$frames" \
    --quality "$quality" --model "$model"
  run "$vaec" --quiet --threads 2 --cpu "$level" encode "$input" -o "$work/cpu_q40_$level.vae" --frames 6 \
    --quality 40 --gop 3 --model "$model"
  run "$vaec" --quiet --threads 2 --cpu "$level" encode "$input" -o "$work/cpu_mc_$level.vae" --frames 8 \
    --quality 30 --gop 8 --model "$model"
  for pair in "cpu_$level.vae o2.vae" "cpu_q40_$level.vae q40.vae" "cpu_mc_$level.vae mc.vae"; do
    set -- $pair
    [[ $(md5 "$work/$1") = $(md5 "$work/$2") ]] && echo "   stream encoded ($2): identical (md5 $(md5 "$work/$2"))" \
      || fail "--cpu $level: the encoded stream $2 differs"
  done
  run "$vaec" --quiet --threads 2 --cpu "$level" decode "$work/o2.vae" -o "$work/cpu_$level.y4m" --model "$model"
  run "$vaec" --quiet --threads 2 --cpu "$level" decode "$work/q40.vae" -o "$work/cpu_q40_$level.y4m" --model "$model"
  run "$vaec" --quiet --threads 1 --cpu "$level" decode "$work/mc.vae" -o "$work/cpu_mc_$level.y4m" --model "$model"
  for pair in "cpu_$level.y4m dec_t$first.y4m" "cpu_q40_$level.y4m q40.y4m" "cpu_mc_$level.y4m mc.y4m"; do
    set -- $pair
    [[ $(md5 "$work/$1") = $(md5 "$work/$2") ]] && echo "   decoded pixels ($2): identical (md5 $(md5 "$work/$1"))" \
      || fail "--cpu $level: decoded pixels of $2 differ"
  done
done

if [[ -n $o0 ]]; then
  echo "== -O0 build $o0"
  if [[ $o0_encodes == 1 ]]; then
    run "$o0/tools/vaec" --quiet --threads 1 encode "$input" -o "$work/o0.vae" --frames "$frames" --quality "$quality" \
      --model "$model"
    cmp -s "$work/o2.vae" "$work/o0.vae" && echo "   .vae stream encoded by -O0: identical" \
      || fail ".vae streams of the two builds differ"
  else
    echo "   ($o0 has no encoding vaec: encoder stream comparison skipped)"
  fi
  run "$o0/tests/determinism/vaec-decode-hashes" --threads 1 --y4m "$work/dec_o0.y4m" "$model" "$work/o2.vae" \
    > "$work/dump_o0.txt"
  sed 's/ Y=.*//' "$work/dump_o0.txt" > "$work/sym_o0.txt"
  cmp -s "$work/sym_t$first.txt" "$work/sym_o0.txt" && echo "   decoder integers at -O0: identical" \
    || fail "the -O0 build's decoder integers differ"
  compare_pixels "$work/tool_t$first.y4m" "$work/dec_o0.y4m" "-O0 build vs $(basename "$build"), --threads 1"
fi

[[ $failed = 0 ]] && echo "determinism: OK" || echo "determinism: FAILED"
exit $failed
