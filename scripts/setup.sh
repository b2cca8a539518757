#!/usr/bin/env bash
# One-step set-up on Debian bookworm: installs the packages vaec needs (if missing) and builds
# it in ./build (Release), including the FFmpeg plugin: a patched FFmpeg 5.1.9 with libvaec,
# installed privately in build/ffmpeg-vaec/ (plugin/build-ffmpeg.sh; adds ~5 minutes once). Safe to run again: it installs nothing twice and rebuilds
# incrementally. Needs root (or sudo) only when packages are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libtorch-dev libopenblas0-pthread   # OpenBLAS: Debian's reference BLAS is ~15x slower
  libdnnl-dev                         # oneDNN, called directly by the synthesis transform
  libavformat-dev libavcodec-dev libavutil-dev libavfilter-dev libswscale-dev ffmpeg
  catch2 libcli11-dev nlohmann-json3-dev libfmt-dev libzstd-dev libxxhash-dev
  nasm libx264-dev libdav1d-dev dpkg-dev  # the patched FFmpeg of the plugin (plugin/)
  libgloo-dev                         # c10d's Gloo backend: multi-process training (docs/scale-out.md)
  parallel slurm-wlm munge            # the engines of the chunked encoder and their tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${VAEC_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVAEC_PLUGIN=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$jobs"
echo "setup: vaec built in $BUILD_DIR/tools/vaec; ffmpeg with libvaec in $BUILD_DIR/ffmpeg-vaec/bin" >&2
