#!/usr/bin/env bash
# Builds vaec with AddressSanitizer + UndefinedBehaviorSanitizer (-DVAEC_SANITIZE=ON) in
# build-asan/ (or $VAEC_ASAN_BUILD) and runs the whole ctest suite under them.
#
#   scripts/sanitize.sh [extra ctest arguments, e.g. -L determinism or -E cli]
#   scripts/sanitize.sh --quick   (in build-asan-quick/, a decoder-only build (-DVAEC_TORCH=OFF):
#                                  the parsers of untrusted bytes: the entropy and bitstream
#                                  tests and the replay of their fuzz corpora, the whole
#                                  decoder on the fuzz_decode_frame corpus, the integer
#                                  synthesis against its specification and the model file's
#                                  container; a few minutes, run by scripts/run-tests.sh, so CI
#                                  runs it)
#
# UBSan stops at the first error (-fno-sanitize-recover=undefined), ASan at its first report.
# Leak detection is off (detect_leaks=0): LibTorch, oneDNN/OpenMP and FFmpeg keep process-lifetime
# singletons (thread pools, kernel caches, registries) that they never free at exit, so LSan
# reports hundreds of "leaks" that are not ours; the heap checks (overflows, use-after-free,
# double free) stay on. Build type Release (what we ship) with -g1 for line numbers in reports.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
if [[ ${1:-} == --quick ]]; then quick=1; shift; fi
dir=${VAEC_ASAN_BUILD:-$root/build-asan$([[ $quick == 1 ]] && echo -quick)}
jobs=${VAEC_JOBS:-$(nproc)}
# Torch-free targets for --quick: unit tests and fuzz-corpus replays of rANS, CDF tables, the
# container and whole-frame decoding.
quick_fuzz=(fuzz_container fuzz_rans_decode fuzz_rans_roundtrip fuzz_cdf_table_set fuzz_decode_frame)

start=$(date +%s)
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAEC_SANITIZE=ON \
  -DVAEC_TORCH=$([[ $quick == 1 ]] && echo OFF || echo ON) -DCMAKE_CXX_FLAGS=-g1 -DCMAKE_C_FLAGS=-g1 >/dev/null
if [[ $quick == 1 ]]; then
  cmake --build "$dir" -j "$jobs" --target test_entropy test_bitstream test_integer "${quick_fuzz[@]/%/_replay}"
else
  cmake --build "$dir" -j "$jobs"
fi
built=$(date +%s)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
if [[ $quick == 1 ]]; then
  "$dir/tests/entropy/test_entropy" && "$dir/tests/bitstream/test_bitstream" && "$dir/tests/model/test_integer" ||
    status=$?
  for t in "${quick_fuzz[@]}"; do
    "$dir/tests/fuzz/${t}_replay" "$root/tests/fuzz/corpus/$t" || status=$?
  done
else
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 1500 "$@") || status=$?
fi
end=$(date +%s)
echo "sanitize: build $((built - start)) s, tests $((end - built)) s, exit status $status"
exit $status
