#!/usr/bin/env bash
# One step: build a private FFmpeg with the vaec plugin (libvaec encoder/decoder, vaec filter).
#
#   plugin/build-ffmpeg.sh            # uses/creates the CMake tree $VAEC_BUILD_DIR (default: build)
#
# 1. builds libvaec.so + vaec.pc (CMake, -DVAEC_PLUGIN=ON, target vaec-stage) into the prefix;
# 2. fetches Debian's FFmpeg source by package name (`apt-get source ffmpeg`; reused if present);
# 3. applies plugin/patches/*.patch (a fresh copy of the source whenever the patches change);
# 4. configures a lean build (see CONFIG below), builds with -j$(nproc), installs ffmpeg,
#    ffprobe (and ffplay when libsdl2-dev is installed) into $BUILD_DIR/ffmpeg-vaec/bin.
# The FFmpeg libraries are linked statically and libvaec.so is found through an rpath, so the
# result never uses (or disturbs) the system's FFmpeg. Safe to run again: it only redoes what
# changed. Packages it needs (nasm, libx264-dev, dpkg-dev; libdav1d-dev if available) are
# installed when missing; deb-src is enabled for the configured Debian suites when missing.
#
# Options: --skip-libvaec (the prefix already holds libvaec; used by the CMake target),
#          --jobs N.  Environment: VAEC_BUILD_DIR, VAEC_FFMPEG_PREFIX, VAEC_FFMPEG_WORK.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

FFMPEG_PACKAGE=ffmpeg
FFMPEG_VERSION=5.1.9            # the Debian upstream version the patches are made against
FFMPEG_DEB_VERSION=5.1.9-0+deb12u1   # Debian's revision (file names)
FFMPEG_DEB_EPOCH=7                  # apt names the version 7:5.1.9-0+deb12u1

skip_libvaec=0
jobs=$(nproc 2>/dev/null || echo 2)
while (($#)); do
  case "$1" in
    --skip-libvaec) skip_libvaec=1 ;;
    --jobs) jobs=$2; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "build-ffmpeg: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

BUILD_DIR=${VAEC_BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
PREFIX=${VAEC_FFMPEG_PREFIX:-$BUILD_DIR/ffmpeg-vaec}
WORK=${VAEC_FFMPEG_WORK:-$BUILD_DIR/ffmpeg-src}
log() { echo "build-ffmpeg: $*" >&2; }
start=$(date +%s)

# --- packages -------------------------------------------------------------------------------
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in nasm libx264-dev dpkg-dev pkg-config; do installed "$p" || missing+=("$p"); done
if ! installed libdav1d-dev && apt-cache show libdav1d-dev >/dev/null 2>&1; then missing+=(libdav1d-dev); fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 1. libvaec.so + vaec.pc ----------------------------------------------------------------
if ((!skip_libvaec)); then
  log "building libvaec in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DVAEC_PLUGIN=ON -DVAEC_FFMPEG_PREFIX="$PREFIX" >/dev/null
  cmake --build "$BUILD_DIR" --target vaec-stage -j "$jobs"
fi
[ -f "$PREFIX/lib/pkgconfig/vaec.pc" ] || { log "$PREFIX/lib/pkgconfig/vaec.pc is missing"; exit 1; }

# --- 2. the source, by package name ---------------------------------------------------------
mkdir -p "$WORK"
dsc="$WORK/${FFMPEG_PACKAGE}_${FFMPEG_DEB_VERSION}.dsc"
if [ ! -f "$dsc" ]; then
  if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    src=/etc/apt/sources.list.d/debian.sources
    [ -f "$src" ] || { log "enable deb-src for bookworm in /etc/apt (needed by apt-get source)"; exit 1; }
    log "enabling deb-src in $src (apt-get source needs it)"
    $SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' "$src"
    $SUDO apt-get update -qq
  fi
  log "fetching the $FFMPEG_PACKAGE source"
  (cd "$WORK" && apt-get source --download-only "$FFMPEG_PACKAGE=$FFMPEG_DEB_EPOCH:$FFMPEG_DEB_VERSION" >/dev/null 2>&1 ||
                 apt-get source --download-only "$FFMPEG_PACKAGE" >/dev/null)
  if [ ! -f "$dsc" ]; then
    got=$(ls "$WORK"/${FFMPEG_PACKAGE}_*.dsc 2>/dev/null | head -1)
    log "expected $FFMPEG_DEB_VERSION, apt has ${got:-nothing}; the patches are made against $FFMPEG_DEB_VERSION"
    [ -n "$got" ] || exit 1
    dsc=$got
  fi
fi

# --- 3. a patched tree ----------------------------------------------------------------------
# When the patches change, the old ones are reversed and the new ones applied, so make rebuilds
# only what they touch; if that fails, the tree is unpacked afresh.
SRC="$WORK/ffmpeg-vaec-src"
APPLIED="$SRC/.vaec-applied"
apply_all() {
  local p
  for p in "$ROOT"/plugin/patches/*.patch; do
    patch -d "$SRC" -p1 -N --no-backup-if-mismatch --quiet < "$p" || { log "cannot apply $(basename "$p")"; return 1; }
  done
  rm -rf "$APPLIED" && mkdir -p "$APPLIED" && cp "$ROOT"/plugin/patches/*.patch "$APPLIED"/
}
if [ -d "$SRC" ] && [ "$(cat "$SRC/.vaec-dsc" 2>/dev/null)" = "$(basename "$dsc")" ] &&
   diff -rq "$ROOT/plugin/patches" "$APPLIED" >/dev/null 2>&1; then
  :  # up to date
else
  fresh=1
  if [ -d "$APPLIED" ] && [ "$(cat "$SRC/.vaec-dsc" 2>/dev/null)" = "$(basename "$dsc")" ]; then
    log "re-applying plugin/patches"
    fresh=0
    # Keep the timestamps of files the new patches leave as they were, so make rebuilds only
    # what changed (a touched codec_id.h would rebuild all of libavcodec).
    keep="$SRC/.vaec-keep"
    rm -rf "$keep" && mkdir -p "$keep"
    touched=$(sed -n 's|^+++ b/||p' "$APPLIED"/*.patch "$ROOT"/plugin/patches/*.patch | sort -u)
    for f in $touched; do
      [ -f "$SRC/$f" ] && mkdir -p "$keep/$(dirname "$f")" && cp -p "$SRC/$f" "$keep/$f"
    done
    for p in $(ls "$APPLIED"/*.patch | sort -r); do
      patch -d "$SRC" -p1 -R --no-backup-if-mismatch --quiet < "$p" || { fresh=1; break; }
    done
    ((fresh)) || apply_all || fresh=1
    if ((!fresh)); then
      for f in $touched; do
        [ -f "$keep/$f" ] && cmp -s "$keep/$f" "$SRC/$f" && touch -r "$keep/$f" "$SRC/$f"
      done
    fi
    rm -rf "$keep"
  fi
  if ((fresh)); then
    log "unpacking $(basename "$dsc") and applying plugin/patches"
    rm -rf "$SRC"
    dpkg-source --no-check -x "$dsc" "$SRC" >/dev/null
    basename "$dsc" > "$SRC/.vaec-dsc"
    apply_all
  fi
fi

# --- 4. configure, build, install ------------------------------------------------------------
join() { local IFS=,; echo "$*"; }
decoders=(h264 hevc vp9 mpeg4 mjpeg rawvideo ffv1 libvaec
          aac ac3 mp2 mp3 opus vorbis flac pcm_s16le)
if pkg-config --exists dav1d 2>/dev/null; then decoders+=(libdav1d); dav1d=(--enable-libdav1d); else decoders+=(av1); dav1d=(); fi
encoders=(libx264 ffv1 rawvideo wrapped_avframe libvaec aac ac3 mp2 pcm_s16le)
muxers=(mp4 mov matroska webm nut yuv4mpegpipe rawvideo data null framecrc framemd5 ivf)
demuxers=(mov matroska nut yuv4mpegpipe rawvideo h264 hevc ivf avi mjpeg aac ac3 mp3 wav flac ogg)
parsers=(h264 hevc vp9 av1 mpeg4video mjpeg aac ac3 mpegaudio opus vorbis flac)
filters=(scale format null metadata psnr ssim setpts fps crop pad split nullsink buffer buffersink
         trim transpose hflip vflip vaec
         abuffer abuffersink aformat anull aresample atrim asetpts anullsink)
ffplay=(--disable-ffplay)
if pkg-config --exists sdl2 2>/dev/null; then ffplay=(--enable-ffplay --enable-sdl2); fi

CONFIG=(--prefix="$PREFIX" --disable-shared --enable-static --enable-gpl --disable-doc
        --disable-autodetect --enable-zlib --enable-pthreads
        --disable-everything --enable-ffmpeg --enable-ffprobe "${ffplay[@]}"
        --enable-libx264 --enable-libvaec "${dav1d[@]}"
        --enable-decoder="$(join "${decoders[@]}")" --enable-encoder="$(join "${encoders[@]}")"
        --enable-muxer="$(join "${muxers[@]}")" --enable-demuxer="$(join "${demuxers[@]}")"
        --enable-parser="$(join "${parsers[@]}")" --enable-filter="$(join "${filters[@]}")"
        --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb,vp9_superframe,vp9_superframe_split,av1_frame_split,extract_extradata,null
        --enable-protocol=file,pipe
        --extra-ldflags="-Wl,-rpath,$PREFIX/lib -Wl,--exclude-libs,ALL")
# --exclude-libs: the static libav* inside ffmpeg export nothing. Debian's LibTorch (under
# libvaec.so) loads the system's libav*.so; they must bind to their own symbols, not ours.
config_sum=$( (printf '%s\n' "${CONFIG[@]}"; cat "$PREFIX/lib/pkgconfig/vaec.pc") | sha256sum | cut -c1-16)
if [ "$(cat "$SRC/.vaec-config" 2>/dev/null)" != "$config_sum" ] || [ ! -f "$SRC/ffbuild/config.mak" ]; then
  log "configuring"
  rm -f "$SRC/.vaec-config"
  (cd "$SRC" && PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
     ./configure "${CONFIG[@]}" >"$SRC/vaec-configure.log" 2>&1) ||
    { tail -30 "$SRC/ffbuild/config.log" >&2; log "configure failed (see $SRC/ffbuild/config.log)"; exit 1; }
  echo "$config_sum" > "$SRC/.vaec-config"
fi
log "building with -j$jobs"
make -C "$SRC" -j "$jobs" >"$SRC/vaec-make.log" 2>&1 || { tail -40 "$SRC/vaec-make.log" >&2; log "make failed"; exit 1; }
make -C "$SRC" install >"$SRC/vaec-install.log" 2>&1 || { tail -20 "$SRC/vaec-install.log" >&2; log "install failed"; exit 1; }

"$PREFIX/bin/ffmpeg" -hide_banner -h encoder=libvaec >/dev/null ||
  { log "the installed ffmpeg has no libvaec encoder"; exit 1; }
log "done in $(( $(date +%s) - start )) s: $PREFIX/bin/ffmpeg, $PREFIX/bin/ffprobe"
