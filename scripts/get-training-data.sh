#!/usr/bin/env bash
# Fetches the training media allowed by docs/training.md §2 from Debian packages and lays out
#   DEST/train/<package>/...   images and videos to train on
#   DEST/val/<package>/...     a fixed held-out split (~8 % of files, chosen by a hash of the
#                              file's path, so it is the same on every machine; never trained on)
# Usage: scripts/get-training-data.sh [DEST]     (default: data/, which git ignores)
# Idempotent: packages already downloaded/extracted are reused; train/ and val/ are rebuilt.
#
# Reserved for independent evaluation and therefore NEVER fetched or used here:
#   python3-imageio, forensics-samples-files, pd-extendedview, and opencv-doc's vtest.avi.
set -euo pipefail

DEST=${1:-data}
PACKAGES=(opencv-doc mate-backgrounds plasma-workspace-wallpapers python3-skimage-lib
          gimp-help-en python3-mecavideo node-opencv psychtoolbox-3-common openshot-qt
          kphotoalbum)
VAL_PERCENT=8          # share of files held out for validation
MIN_IMAGE_SIDE=256     # smaller images are icons, thumbnails or diagrams
MIN_IMAGE_BYTES=30000  # tiny files are mostly flat diagrams/screenshots
PLASMA_CAP=30          # abstract wallpapers: mix in, don't let them dominate (docs/training.md §2)

mkdir -p "$DEST/debs" "$DEST/extract"
DEST=$(cd "$DEST" && pwd)

# --- download + extract ---------------------------------------------------------------------
for pkg in "${PACKAGES[@]}"; do
  if [ -f "$DEST/extract/$pkg/.done" ]; then continue; fi
  if ! ls "$DEST/debs/${pkg}"_*.deb >/dev/null 2>&1; then
    echo "downloading $pkg" >&2
    if ! (cd "$DEST/debs" && apt-get download "$pkg" >/dev/null 2>&1); then
      # A fresh machine may not have package lists yet.
      apt-get update >/dev/null
      (cd "$DEST/debs" && apt-get download "$pkg" >/dev/null)
    fi
  fi
  rm -rf "$DEST/extract/$pkg"
  mkdir -p "$DEST/extract/$pkg"
  dpkg -x "$DEST/debs/${pkg}"_*.deb "$DEST/extract/$pkg"
  touch "$DEST/extract/$pkg/.done"
done

# --- selection ------------------------------------------------------------------------------
# Prints "W H" for a PNG/JPEG (from `file`), or nothing when unknown.
image_size() {
  file -b "$1" | grep -oE '(, |precision [0-9]+, )[0-9]+ ?x ?[0-9]+' | head -n1 |
    grep -oE '[0-9]+ ?x ?[0-9]+' | tr -d ' ' | tr 'x' ' '
}

is_usable_image() {
  local f=$1 bytes wh
  bytes=$(stat -c %s "$f")
  [ "$bytes" -ge "$MIN_IMAGE_BYTES" ] || return 1
  wh=$(image_size "$f")
  [ -n "$wh" ] || return 1
  set -- $wh
  [ "$1" -ge "$MIN_IMAGE_SIDE" ] && [ "$2" -ge "$MIN_IMAGE_SIDE" ]
}

# Deterministic split: the first bytes of md5(package/relative path).
split_of() {
  local h
  h=$(printf '%s' "$1" | md5sum | cut -c1-4)
  if [ $((16#$h % 100)) -lt "$VAL_PERCENT" ]; then echo val; else echo train; fi
}

rm -rf "$DEST/train" "$DEST/val"
mkdir -p "$DEST/train" "$DEST/val"
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT

for pkg in "${PACKAGES[@]}"; do
  root="$DEST/extract/$pkg"
  : >"$LIST"
  case $pkg in
    plasma-workspace-wallpapers)
      # One picture per wallpaper (its largest rendition at most 2560 wide; 5K copies are
      # just upscaled), capped, chosen by a stable hash.
      for dir in "$root"/usr/share/wallpapers/*/contents/images; do
        [ -d "$dir" ] || continue
        { ls "$dir" 2>/dev/null || true; } | grep -E '^[0-9]+x[0-9]+\.(jpg|png)$' |
          awk -F'[x.]' '$1 <= 2560 { print $1 * $2, $0 }' | sort -n | tail -n1 |
          cut -d' ' -f2 | sed "s|^|$dir/|"
      done | while read -r f; do printf '%s %s\n' "$(printf '%s' "$f" | md5sum | cut -c1-8)" "$f"; done |
        sort | head -n "$PLASMA_CAP" | cut -d' ' -f2- >"$LIST"
      ;;
    *)
      find "$root" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \
        -o -iname '*.avi' -o -iname '*.mov' -o -iname '*.mp4' -o -iname '*.mkv' \
        -o -iname '*.webm' -o -iname '*.ogv' \) | sort >"$LIST"
      ;;
  esac
  n=0
  while read -r f; do
    rel=${f#"$root"/}
    base=$(basename "$f")
    [ "$base" = vtest.avi ] && continue  # reserved for independent evaluation
    case ${f,,} in
      *.jpg|*.jpeg|*.png) is_usable_image "$f" || continue ;;
      *) [ "$(stat -c %s "$f")" -ge 100000 ] || continue ;;  # skip tiny clips
    esac
    # Screenshots, UI art and synthetic masks teach the wrong statistics: keep photographs.
    case $pkg:$rel in
      gimp-help-en:*.png|gimp-help-en:*.PNG) continue ;;           # dialog screenshots
      openshot-qt:*/transitions/*|openshot-qt:*/icons/*|openshot-qt:*.png) continue ;;
      kphotoalbum:*/doc/*) continue ;;                            # translated UI screenshots
    esac
    split=$(split_of "$pkg/$rel")
    # Validation videos, never trained on: samples/balle.mp4 is cut from balle-jbart.mp4, and
    # tree.avi is the held-out clip for video figures (hash splits put no video in val).
    case $base in balle-jbart.mp4|tree.avi) split=val ;; esac
    out="$DEST/$split/$pkg/$(printf '%s' "$rel" | tr '/' '_')"
    mkdir -p "$(dirname "$out")"
    ln -f "$f" "$out" 2>/dev/null || cp "$f" "$out"
    n=$((n + 1))
  done <"$LIST"
  echo "$pkg: $n files" >&2
done

echo "train: $(find "$DEST/train" -type f | wc -l) files, val: $(find "$DEST/val" -type f | wc -l) files in $DEST" >&2
