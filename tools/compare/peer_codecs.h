// The codecs vaec is compared with (x264, x265, SVT-AV1), run through FFmpeg's libraries in a
// low-delay configuration: no B-frames and the same intra period as ours.
#pragma once

#include <string>
#include <vector>

#include "common/frame.h"

namespace vaec::compare {

struct PeerCodec {
  std::string name;          // what the user types: x264, x265, svtav1
  std::string encoder;       // libavcodec encoder
  std::vector<int> crfs;     // default CRF sweep, best quality first
  std::string default_preset;
};

// Known peers; throws std::invalid_argument naming the valid ones for an unknown name.
const PeerCodec& find_peer(const std::string& name);
std::vector<std::string> peer_names();

struct EncodeMeasurement {
  std::string label;  // e.g. "x264 crf 23"
  int64_t bytes = 0;  // real file size
  double kbps = 0;
  double bpp = 0;
  double psnr_yuv = 0;  // mean of per-frame (6Y+U+V)/8
};

struct PeerRun {
  int crf = 23;
  int gop = 32;
  std::string preset;  // empty: the peer's default
  int threads = 0;
};

// Encodes `frames` into a Matroska file at `path`, decodes it back and measures it.
EncodeMeasurement run_peer(const PeerCodec& peer, const std::vector<Frame>& frames, Rational rate,
                           const PeerRun& run, const std::string& path);

// Rate figures for `bytes` spent on `frames` at `rate`.
void fill_rates(EncodeMeasurement& m, int64_t bytes, const std::vector<Frame>& frames, Rational rate);

}  // namespace vaec::compare
