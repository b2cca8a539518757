// What a compressed video costs as a bitstream rather than as a file: the video stream's
// packets and codec headers (extradata), without the container's framing and without the
// encoder-identification SEI messages that x264 and x265 write (≈ 0.7 KB and ≈ 2 KB of
// version text, which no decoder needs). Codec comparisons on stills and short clips use it:
// there those bytes are a large share of a peer's file (docs/training.md §4).
#pragma once

#include <cstdint>
#include <string>

namespace vaec::io {

// Bytes of the first video stream of `path`: extradata + packets, minus H.264/HEVC SEI NAL
// units (with their length prefixes) inside packets. Throws IoError if it cannot be read.
int64_t coded_stream_bytes(const std::string& path);

}  // namespace vaec::io
