#!/usr/bin/env bash
# Runs the whole test suite of an already built tree (scripts/setup.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
# LibTorch's OpenMP threads spin-wait by default, which starves a busy 2-core machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
BUILD_DIR=${VAEC_BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
# Decoding must not depend on the optimisation level either: an -O0 build of the decoder
# (vaec-decode-hashes, a few minutes to build) must decode the sample's stream to the same
# integers and pixels as this build (the thread and process checks already ran in ctest).
[[ ${VAEC_SKIP_O0:-0} == 1 ]] || VAEC_O0_BUILD=build-o0 scripts/check-determinism.sh "$BUILD_DIR"
# The decoder-only build (-DVAEC_TORCH=OFF, a few minutes to build): its tests, and the full
# build's streams decoded to the same pixels by it (and by FFmpeg on its libvaec).
[[ ${VAEC_SKIP_DECODER_ONLY:-0} == 1 ]] || scripts/check-decoder-only.sh "$BUILD_DIR"
# The parsers of untrusted bytes that need no LibTorch, again under ASan+UBSan (a few minutes;
# the whole suite under sanitizers is scripts/sanitize.sh, ~30+ minutes on 2 cores).
[[ ${VAEC_SKIP_SANITIZE:-0} == 1 ]] || scripts/sanitize.sh --quick
