#!/usr/bin/env bash
# Runs the whole test suite of an already built tree (scripts/setup.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
# LibTorch's OpenMP threads spin-wait by default, which starves a busy 2-core machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
BUILD_DIR=${VAEC_BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
# The parsers of untrusted bytes that need no LibTorch, again under ASan+UBSan (a few minutes;
# the whole suite under sanitizers is scripts/sanitize.sh, ~30+ minutes on 2 cores).
[[ ${VAEC_SKIP_SANITIZE:-0} == 1 ]] || scripts/sanitize.sh --quick
