#!/usr/bin/env bash
# Tests of the FFmpeg plugin, run by ctest (tests/plugin/CMakeLists.txt) with the built binaries:
#   plugin_test.sh CASE
# Environment: FFMPEG, FFPROBE (the patched build), VAEC (the CLI), SAMPLE (a video), MODEL (a
# model file or the bundled models' directory),
# WORK (a scratch folder shared by the cases; `setup` fills it), FRAMES, QUALITY.
# Each case prints what it checked and exits non-zero with a reason when something is wrong.
set -euo pipefail
: "${FFMPEG:?}" "${FFPROBE:?}" "${VAEC:?}" "${SAMPLE:?}" "${MODEL:?}" "${WORK:?}"
FRAMES=${FRAMES:-3}
QUALITY=${QUALITY:-60}
export VAEC_MODEL="$MODEL"
ff() { "$FFMPEG" -hide_banner -nostdin -loglevel error -y "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
need_setup() { [ -f "$WORK/setup.done" ] || fail "the plugin.setup fixture did not run"; }

for bin in "$FFMPEG" "$FFPROBE"; do
  [ -x "$bin" ] || fail "$bin is missing: build it with plugin/build-ffmpeg.sh (or the ffmpeg-vaec target)"
done

# Frames in a file, as ffprobe counts them (decoding every one).
count_frames() {
  "$FFPROBE" -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"
}
# The stream header record's size (header_size at offset 12: 80 bytes since 4.1).
vae_header_size() { od -An -tu4 -j12 -N4 "$1" | tr -d ' '; }

case_setup() {
  rm -rf "$WORK" && mkdir -p "$WORK"
  # The reference: the CLI at the same settings, and its decoded frames.
  "$VAEC" --quiet encode "$SAMPLE" -o "$WORK/cli.vae" --quality "$QUALITY" --frames "$FRAMES"
  "$VAEC" --quiet decode "$WORK/cli.vae" -o "$WORK/cli-decoded.y4m"
  # The source frames the codecs saw, for vaec eval.
  ff -i "$SAMPLE" -frames:v "$FRAMES" -an -f yuv4mpegpipe "$WORK/source.y4m"
  # The plugin: the same frames into Matroska and NUT.
  for ext in mkv nut; do
    ff -i "$SAMPLE" -frames:v "$FRAMES" -an -c:v libvaec -quality "$QUALITY" "$WORK/plugin.$ext"
    ff -i "$WORK/plugin.$ext" -f yuv4mpegpipe "$WORK/plugin-$ext-decoded.y4m"
  done
  touch "$WORK/setup.done"
  ok "encoded $FRAMES frames with the CLI and with ffmpeg (mkv, nut)"
}

case_ffprobe_names_codec() {
  need_setup
  for ext in mkv nut; do
    local info
    info=$("$FFPROBE" -v error -select_streams v:0 -show_entries stream=codec_name,codec_long_name,width,height \
           -of default=nw=1 "$WORK/plugin.$ext")
    echo "$info" | grep -qx "codec_name=vaec" || fail "$ext: ffprobe does not name the codec: $info"
    echo "$info" | grep -q "codec_long_name=vaec" || fail "$ext: no long name: $info"
    echo "$info" | grep -qx "width=720" || fail "$ext: wrong width: $info"
    ok "$ext: $(echo "$info" | tr '\n' ' ')"
  done
}

# Packets, extradata and decoded frames of one container against the CLI's.
check_round_trip() {
  local ext=$1 file="$WORK/plugin.$1" hsize n
  need_setup
  hsize=$(vae_header_size "$WORK/cli.vae")
  # Extradata = the CLI's stream header record, byte for byte.
  local want got
  want=$(head -c "$hsize" "$WORK/cli.vae" | sha256sum | cut -c1-64)
  got=$("$FFPROBE" -v error -select_streams v:0 -show_data_hash sha256 -show_entries stream=extradata_hash \
        -of csv=p=0 "$file")
  [ "$got" = "SHA256:$want" ] || fail "$ext: extradata ($got) is not the CLI's stream header (SHA256:$want)"
  # Packets = the CLI's packet records, byte for byte and in order (the .vae holds them right
  # after the header, then its index).
  ff -i "$file" -map 0:v -c copy -f data "$WORK/$ext-packets.bin"
  local size
  size=$(stat -c %s "$WORK/$ext-packets.bin")
  ((size > 0)) || fail "$ext: no packets"
  cmp -s "$WORK/$ext-packets.bin" <(tail -c +"$((hsize + 1))" "$WORK/cli.vae" | head -c "$size") ||
    fail "$ext: packets differ from the CLI's packet records"
  # The record after them in the .vae is the index (type 3): nothing is missing.
  local next
  next=$(tail -c +"$((hsize + size + 1))" "$WORK/cli.vae" | od -An -tu1 -N1 | tr -d ' ')
  [ "$next" = "3" ] || fail "$ext: the CLI's stream has more packets than $ext (next record type '$next')"
  # Frames: count and pictures identical to the CLI's decode, so PSNR-YUV is equal too.
  n=$(count_frames "$file")
  [ "$n" = "$FRAMES" ] || fail "$ext: $n frames, want $FRAMES"
  local dec="$WORK/plugin-$ext-decoded.y4m" p_cli p_plugin
  p_cli=$("$VAEC" --quiet eval "$WORK/source.y4m" "$WORK/cli-decoded.y4m" --summary 2>&1 || true)
  "$VAEC" --quiet eval "$WORK/cli-decoded.y4m" "$dec" --csv > "$WORK/$ext-vs-cli.csv" ||
    fail "$ext: cannot compare with the CLI's decode"
  # Every frame identical: 100 dB on every plane.
  if awk -F, 'NR > 1 && ($2 < 100 || $3 < 100 || $4 < 100) { bad = 1 } END { exit !bad }' "$WORK/$ext-vs-cli.csv"; then
    cat "$WORK/$ext-vs-cli.csv" >&2
    fail "$ext: decoded frames differ from the CLI's"
  fi
  [ "$(($(wc -l < "$WORK/$ext-vs-cli.csv") - 1))" = "$FRAMES" ] || fail "$ext: frame count differs from the CLI's decode"
  p_plugin=$("$VAEC" --quiet eval "$WORK/source.y4m" "$dec" --summary 2>&1 || true)
  [[ $p_plugin == *mean* ]] || fail "$ext: vaec eval failed: $p_plugin"
  [ "$p_cli" = "$p_plugin" ] || fail "$ext: PSNR differs: CLI '$p_cli', plugin '$p_plugin'"
  ok "$ext: extradata and $size bytes of packets identical to the CLI's; $n frames identical to its decode ($(echo "$p_plugin" | tr '\n' ' '))"
}
case_mkv_round_trip() { check_round_trip mkv; }
case_nut_round_trip() { check_round_trip nut; }

# Encodes the sample with `vaec encode CLI_ARGS` into cli-TAG.vae and with ffmpeg's libvaec
# and FF_ARGS into plugin-TAG.mkv; fails unless the plugin's packets are the CLI stream's frame
# records. Sets PACKET_BYTES.
packets_match_cli() {  # TAG "CLI_ARGS" "FF_ARGS"
  local tag=$1 hsize
  # shellcheck disable=SC2086  # the argument lists split on purpose
  "$VAEC" --quiet encode "$SAMPLE" -o "$WORK/cli-$tag.vae" $2 --frames "$FRAMES"
  # shellcheck disable=SC2086
  ff -i "$WORK/source.y4m" -c:v libvaec $3 "$WORK/plugin-$tag.mkv"
  ff -i "$WORK/plugin-$tag.mkv" -map 0:v -c copy -f data "$WORK/$tag-packets.bin"
  hsize=$(vae_header_size "$WORK/cli-$tag.vae")
  PACKET_BYTES=$(stat -c %s "$WORK/$tag-packets.bin")
  ((PACKET_BYTES > 0)) || fail "$3: no packets"
  cmp -s "$WORK/$tag-packets.bin" <(tail -c +"$((hsize + 1))" "$WORK/cli-$tag.vae" | head -c "$PACKET_BYTES") ||
    fail "$3: packets differ from vaec encode $2"
}

# -b:v maps to the CLI's --bitrate: the same packets.
case_bitrate_matches_cli() {
  need_setup
  packets_match_cli 800k "--bitrate 800" "-b:v 800k"
  ok "-b:v 800k: $PACKET_BYTES bytes of packets identical to vaec encode --bitrate 800"
}

# -preset maps to the CLI's --preset: the same packets, the preset in the header, the preset's model.
case_preset_matches_cli() {
  need_setup
  packets_match_cli fast "--preset fast --quality $QUALITY" "-preset fast -quality $QUALITY"
  local preset
  preset=$(od -An -tu1 -j64 -N1 "$WORK/cli-fast.vae" | tr -d ' ')
  [ "$preset" = "1" ] || fail "the header records preset '$preset', want 1 (fast)"
  "$VAEC" info "$WORK/cli-fast.vae" --no-frames | grep -q "preset fast" || fail "vaec info does not name the preset"
  # The plugin decodes it with the model the stream names (the fast one).
  [ "$(count_frames "$WORK/plugin-fast.mkv")" = "$FRAMES" ] || fail "-preset fast: wrong frame count"
  ok "-preset fast: $PACKET_BYTES bytes of packets identical to vaec encode --preset fast; header preset 1"
}

# -max_bitstream 4 maps to the CLI's --max-bitstream 4: the same packets, a 4.2 header, no
# synthesis update; the default writes 5.0 (every preset sends updates).
case_max_bitstream_matches_cli() {
  need_setup
  packets_match_cli v4 "--max-bitstream 4 --quality $QUALITY" "-max_bitstream 4 -quality $QUALITY"
  local major
  major=$(od -An -tu2 -j8 -N2 "$WORK/cli-v4.vae" | tr -d ' ')
  [ "$major" = "4" ] || fail "--max-bitstream 4 wrote version $major"
  "$VAEC" --quiet encode "$SAMPLE" -o "$WORK/cli-v5.vae" --quality "$QUALITY" --frames "$FRAMES"
  major=$(od -An -tu2 -j8 -N2 "$WORK/cli-v5.vae" | tr -d ' ')
  [ "$major" = "5" ] || fail "medium wrote version $major, want 5 (synthesis updates)"
  [ "$(count_frames "$WORK/plugin-v4.mkv")" = "$FRAMES" ] || fail "-max_bitstream 4: wrong frame count"
  ok "-max_bitstream 4: $PACKET_BYTES bytes of packets identical to vaec encode --max-bitstream 4; 4.x header"
}

case_filter_metadata() {
  need_setup
  local meta="$WORK/filter-meta.txt" out="$WORK/filter.mkv"
  ff -i "$WORK/source.y4m" -vf "vaec=quality=50,metadata=print:file=$meta" -c:v ffv1 "$out"
  local frames
  frames=$(grep -c '^frame:' "$meta" || true)
  [ "$frames" = "$FRAMES" ] || fail "metadata printed for $frames frames, want $FRAMES"
  for key in bits bpp psnr_y psnr_yuv; do
    [ "$(grep -c "^lavfi.vaec.$key=" "$meta")" = "$FRAMES" ] || fail "lavfi.vaec.$key is not on every frame"
  done
  awk -F= '/^lavfi.vaec.bits=/ && !($2 > 0) { exit 1 }' "$meta" || fail "bits must be > 0"
  awk -F= '/^lavfi.vaec.bpp=/ && !($2 > 0 && $2 < 24) { exit 1 }' "$meta" || fail "implausible bpp"
  awk -F= '/^lavfi.vaec.psnr_y/ && !($2 > 15 && $2 <= 100) { exit 1 }' "$meta" || fail "implausible PSNR"
  # The filter's PSNR-YUV against vaec eval of its output, frame by frame, within 0.01 dB.
  "$VAEC" --quiet eval "$WORK/source.y4m" "$out" --csv > "$WORK/filter-eval.csv" ||
    fail "vaec eval failed on the filter's output"
  local col
  col=$(head -1 "$WORK/filter-eval.csv" | tr ',' '\n' | grep -nx 'psnr_yuv' | cut -d: -f1)
  [ -n "$col" ] || fail "no psnr_yuv column in vaec eval --csv: $(head -1 "$WORK/filter-eval.csv")"
  paste -d' ' <(grep '^lavfi.vaec.psnr_yuv=' "$meta" | cut -d= -f2) \
               <(tail -n +2 "$WORK/filter-eval.csv" | head -n "$FRAMES" | cut -d, -f"$col") |
    awk '{ d = $1 - $2; if (d < 0) d = -d; printf "filter %s eval %s\n", $1, $2; if (d > 0.01 || $2 == "") bad = 1 }
         END { exit bad }' || fail "filter PSNR-YUV differs from vaec eval by more than 0.01 dB"
  ok "metadata on all $FRAMES frames; PSNR-YUV within 0.01 dB of vaec eval"
}

case_damaged_packet() {
  need_setup
  local bad="$WORK/damaged.mkv" pos size
  cp "$WORK/plugin.mkv" "$bad"
  # Flip a byte in the middle of the second packet (ffprobe prints size before pos, whatever
  # order they are asked in).
  read -r size pos < <("$FFPROBE" -v error -select_streams v:0 -show_entries packet=size,pos -of csv=p=0 "$bad" |
                       sed -n 2p | tr ',' ' ')
  [ -n "$pos" ] && [ -n "$size" ] || fail "cannot find the second packet"
  local at=$((pos + size / 2)) byte
  byte=$(od -An -tu1 -j "$at" -N1 "$bad" | tr -d ' ')
  printf "$(printf '\\%03o' $(((byte ^ 0xff) & 0xff)))" | dd of="$bad" bs=1 seek="$at" conv=notrunc status=none
  local log="$WORK/damaged.log" rc=0
  "$FFMPEG" -hide_banner -nostdin -y -i "$bad" -f framecrc "$WORK/damaged.crc" 2> "$log" || rc=$?
  [ "$rc" = 0 ] || { cat "$log" >&2; fail "ffmpeg stopped (exit $rc) instead of going on"; }
  grep -qi "cannot decode the packet" "$log" || { cat "$log" >&2; fail "the damaged frame was not reported"; }
  grep -qi "checksum" "$log" || { cat "$log" >&2; fail "the report does not say why"; }
  # Lost: the second frame and the P-frames after it, up to the next key frame (I-frame).
  local frames want
  want=$("$FFPROBE" -v error -select_streams v:0 -show_entries packet=flags -of csv=p=0 "$bad" |
         awk 'NR == 2 { lost = 1; next } NR > 2 && lost && /K/ { lost = 0 } NR != 2 && !lost { n++ } END { print n + 0 }')
  frames=$(grep -vc '^#' "$WORK/damaged.crc" || true)
  [ "$frames" = "$want" ] || fail "decoded $frames frames, want the $want intact ones"
  ok "damaged packet reported ($(grep -i 'cannot decode' "$log" | head -1)); $frames intact frames decoded"
}

case_wrong_model() {
  need_setup
  local fake="$WORK/not-a-model.vaem" log="$WORK/wrong-model.log"
  head -c 4096 "$SAMPLE" > "$fake"
  # Decoder: refused at init, with the file named and the reason.
  if "$FFMPEG" -hide_banner -nostdin -y -model "$fake" -i "$WORK/plugin.mkv" -f null - 2> "$log"; then
    fail "the decoder accepted a file that is not a model"
  fi
  grep -q "cannot open the vaec decoder with model '$fake'" "$log" || { cat "$log" >&2; fail "no clear message (decoder)"; }
  # Encoder: a missing model file.
  if "$FFMPEG" -hide_banner -nostdin -y -i "$SAMPLE" -frames:v 1 -c:v libvaec -model "$WORK/missing.vaem" \
       -f null - 2> "$log"; then
    fail "the encoder accepted a missing model"
  fi
  grep -q "cannot open the vaec encoder with model '$WORK/missing.vaem'" "$log" || { cat "$log" >&2; fail "no clear message (encoder)"; }
  ok "wrong model files refused at init: $(grep 'cannot open' "$log" | head -1)"
}

"case_${1:?usage: plugin_test.sh CASE}"
