#!/usr/bin/env bash
# Tests of scripts/vaec-chunked on its engines (docs/scale-out.md). One case per ctest test:
#   chunked_test.sh VAEC SOURCE_DIR CASE
# parallel_matches_single_encode  4 segments through GNU parallel decode to the single encode's pictures
# parallel_scene_cuts            --scenes cuts where the single encode's scene cut restarted the GOP grid
# parallel_dead_worker            a segment encode that fails, is killed, or makes a part that vaec concat
#                                 refuses: named, non-zero, no output
# slurm_matches_single_encode     3 array tasks + the dependent concat job on a localhost Slurm: same pictures
# slurm_dead_worker               a failing array task: named, non-zero, no output, the cluster left idle
# Exit 77 (ctest's SKIP_RETURN_CODE) where the engine is missing (package, or not root for Slurm).
set -euo pipefail

[[ $# == 3 ]] || { echo "usage: $0 VAEC SOURCE_DIR CASE" >&2; exit 2; }
VAEC_BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
CASE=$3
CHUNKED=$SRC/scripts/vaec-chunked
HERE=$SRC/tests/engines
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
unset VAEC  # vaec-chunked is given --vaec (or a wrapper through VAEC) explicitly below

fail() { echo "FAIL ($CASE): $*" >&2; exit 1; }
skip() { echo "SKIP ($CASE): $*" >&2; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vaec-engines.XXXXXX")
cluster=""
cleanup() {
  [[ -z $cluster ]] || bash "$HERE/slurm-localhost.sh" stop "$cluster" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

# A tiny clip (GOP 16 keeps the grid short) and the single encode every case compares against.
ENCODE_OPTS=(--quality 50 --gop 16)
make_clip() {  # FRAMES [SCENE_CUT]: with SCENE_CUT, another picture from that frame on
  if [[ -n ${2:-} ]]; then
    ffmpeg -v error -nostdin -f lavfi -i "testsrc2=size=128x96:rate=25" -f lavfi -i "mandelbrot=size=128x96:rate=25" \
      -filter_complex "[0:v]trim=end_frame=$2,setpts=PTS-STARTPTS[a];[1:v]trim=end_frame=$(($1 - $2)),setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1[v]" \
      -map "[v]" -pix_fmt yuv420p clip.y4m || fail "ffmpeg could not make the test clip"
  else
    ffmpeg -v error -nostdin -f lavfi -i "testsrc2=size=128x96:rate=25" -frames:v "$1" clip.y4m \
      || fail "ffmpeg could not make the test clip"
  fi
  "$VAEC_BIN" --quiet encode clip.y4m -o single.vae "${ENCODE_OPTS[@]}" --threads 2 || fail "the single encode failed"
}
md5_of() { "$VAEC_BIN" --quiet decode "$1" --md5 | awk '{ print $1 }'; }
frames_of() {
  "$VAEC_BIN" --quiet info --json --no-frames "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["frames"])'
}
expect_same_pictures() {  # OUT FRAMES
  [[ -s $1 ]] || fail "no $1"
  local got; got=$(frames_of "$1")
  [[ $got == "$2" ]] || fail "$1 has $got frames, expected $2"
  local a b
  a=$(md5_of single.vae) b=$(md5_of "$1")
  [[ -n $a && $a == "$b" ]] || fail "$1 decodes to MD5 $b, the single encode to $a"
  echo "ok: $1: $got frames, MD5 $b as the single encode's"
}
# A chunked run that must fail: non-zero exit, SEGMENT named, no output and no work folder left.
expect_failure() {  # SEGMENT_TEXT COMMAND...
  local want=$1; shift
  local rc=0
  "$@" 2>err.txt || rc=$?
  cat err.txt >&2
  ((rc != 0)) || fail "exit status 0 for a run whose segment failed"
  grep -q "error: $want" err.txt || fail "the error does not name '$want'"
  [[ ! -e out.vae ]] || fail "out.vae was written"
  ! compgen -G ".vaec-chunked.*" >/dev/null || fail "the work folder was left behind"
  ! compgen -G ".out.vae.*" >/dev/null || fail "a temporary output was left behind"
  echo "ok: exit $rc, '$want' named, no output"
}

need_parallel() { command -v parallel >/dev/null 2>&1 || skip "GNU parallel is not installed (Debian: parallel)"; }
start_cluster() {
  local why
  why=$(bash "$HERE/slurm-localhost.sh" check) || skip "no localhost Slurm: $why"
  cluster=$WORK/slurm
  bash "$HERE/slurm-localhost.sh" start "$cluster" || fail "the localhost Slurm cluster did not start"
  # shellcheck source=/dev/null
  . "$cluster/env"
}

case $CASE in
  parallel_matches_single_encode)
    need_parallel
    make_clip 88
    # 32 + 32 + 24 frames: the last segment is shorter.
    "$CHUNKED" clip.y4m -o out.vae --vaec "$VAEC_BIN" --segment-frames 32 -j 2 -- "${ENCODE_OPTS[@]}" --threads 1 \
      || fail "vaec-chunked failed"
    expect_same_pictures out.vae 88
    # 40 frames is rounded to the GOP grid (48 = 3 GOPs): 48 + 40 frames, through parallel's ssh-login code.
    rm out.vae
    "$CHUNKED" clip.y4m -o out.vae --vaec "$VAEC_BIN" --segment-frames 40 -j 2 --sshlogin 2/: --no-psnr \
      -- "${ENCODE_OPTS[@]}" || fail "vaec-chunked with a rounded segment length and --sshlogin : failed"
    expect_same_pictures out.vae 88
    ;;
  parallel_scene_cuts)
    need_parallel
    make_clip 64 21  # the single encode's I-frames: 0 16 21 (scene cut) 37 53
    "$CHUNKED" clip.y4m -o out.vae --vaec "$VAEC_BIN" --segment-frames 32 --scenes --keep-parts --workdir parts \
      --no-psnr -- "${ENCODE_OPTS[@]}" 2>err.txt || { cat err.txt >&2; fail "vaec-chunked --scenes failed"; }
    cat err.txt >&2
    grep -q "1 scene changes: 21$" err.txt || fail "the scene change at frame 21 was not found"
    [[ $(cut -d' ' -f2 parts/vaec-chunked.*/segments.txt | tr '\n' ' ') == "0 21 53 " ]] \
      || fail "segments start at $(cut -d' ' -f2 parts/vaec-chunked.*/segments.txt | tr '\n' ' '), not 0 21 53"
    expect_same_pictures out.vae 64
    ;;
  parallel_dead_worker)
    need_parallel
    make_clip 64
    export VAEC_REAL=$VAEC_BIN VAEC_FAIL_START=32
    expect_failure "segment 2 (frames 32..47) failed" \
      env VAEC_FAIL_MODE=exit VAEC="$HERE/failing-vaec.sh" "$CHUNKED" clip.y4m -o out.vae --segment-frames 16 -j 2 -- "${ENCODE_OPTS[@]}"
    expect_failure "segment 2 (frames 32..47) failed" \
      env VAEC_FAIL_MODE=kill VAEC="$HERE/failing-vaec.sh" "$CHUNKED" clip.y4m -o out.vae --segment-frames 16 -j 2 -- "${ENCODE_OPTS[@]}"
    # A segment at another quality: vaec concat refuses it, and so does the run.
    expect_failure "vaec concat failed" \
      env VAEC_FAIL_MODE=quality VAEC="$HERE/failing-vaec.sh" "$CHUNKED" clip.y4m -o out.vae --segment-frames 16 -j 2 \
      -- "${ENCODE_OPTS[@]}"
    grep -q "quality 20" err.txt || fail "the concat error does not say why"
    chmod 000 clip.y4m
    if ! [[ -r clip.y4m ]]; then  # root reads anything: then this case cannot happen
      expect_failure "cannot read" "$CHUNKED" clip.y4m -o out.vae --vaec "$VAEC_BIN" -- "${ENCODE_OPTS[@]}"
    fi
    chmod 644 clip.y4m
    ;;
  slurm_matches_single_encode)
    start_cluster
    make_clip 48
    "$CHUNKED" clip.y4m -o out.vae --vaec "$VAEC_BIN" --engine slurm --segment-frames 16 \
      --sbatch-args "--partition=debug --time=10" -- "${ENCODE_OPTS[@]}" || fail "vaec-chunked --engine slurm failed"
    expect_same_pictures out.vae 48
    [[ -z $(squeue -h) ]] || fail "jobs left in the queue: $(squeue -h)"
    ;;
  slurm_dead_worker)
    start_cluster
    make_clip 48
    VAEC_REAL=$VAEC_BIN VAEC_FAIL_START=16 expect_failure "segment 1 (frames 16..31) failed" \
      env VAEC="$HERE/failing-vaec.sh" "$CHUNKED" clip.y4m -o out.vae --engine slurm --segment-frames 16 \
      -- "${ENCODE_OPTS[@]}"
    for _ in $(seq 20); do [[ -n $(squeue -h) ]] || break; sleep 0.5; done
    [[ -z $(squeue -h) ]] || fail "jobs left in the queue: $(squeue -h)"
    ;;
  *) echo "unknown case $CASE" >&2; exit 2 ;;
esac
echo "PASS ($CASE)"
