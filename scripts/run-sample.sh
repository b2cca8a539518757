#!/usr/bin/env bash
# The main job on the bundled sample. Until the codec lands: read the sample through vaec's
# I/O, write it back as mp4, and measure the result against the source.
set -euo pipefail
cd "$(dirname "$0")/.."
VAEC=${VAEC_BUILD_DIR:-build}/tools/vaec
OUT=${1:-out}
mkdir -p "$OUT"
"$VAEC" convert samples/balle.mp4 -o "$OUT/balle-copy.mp4"
echo "wrote $OUT/balle-copy.mp4 ($(stat -c %s "$OUT/balle-copy.mp4") bytes); quality against the source:"
"$VAEC" eval samples/balle.mp4 "$OUT/balle-copy.mp4" --summary
