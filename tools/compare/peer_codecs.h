// The codecs vaec is compared with (x264, x265, SVT-AV1), run through FFmpeg's libraries in a
// low-delay configuration: no B-frames and the same intra period as ours.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/frame.h"

namespace vaec::compare {

struct PeerCodec {
  std::string name;          // what the user types: x264, x265, svtav1
  std::string encoder;       // libavcodec encoder
  std::vector<int> crfs;     // fallback CRF sweep, best quality first
  std::string default_preset;
  int max_crf = 51;
};

// CRFs for `peer` whose PSNR spans [psnr_lo, psnr_hi] (the range of the curve it is compared
// with, so the Bjøntegaard integral has an overlap): bisects CRF for each end with
// `psnr_at(crf)` (decreasing in CRF; the caller memoises encodes), then spreads `count` CRFs
// between the two ends, best quality first.
std::vector<int> matched_crfs(const PeerCodec& peer, double psnr_lo, double psnr_hi, int count,
                              const std::function<double(int)>& psnr_at);

// Known peers; throws std::invalid_argument naming the valid ones for an unknown name.
const PeerCodec& find_peer(const std::string& name);
std::vector<std::string> peer_names();

struct EncodeMeasurement {
  std::string label;  // e.g. "x264 crf 23"
  int64_t bytes = 0;  // vaec: .vae file size; peers: coded stream bytes (io/coded_size.h)
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

// Encodes `frames` into a Matroska file at `path`, decodes it back and measures it; the rate
// counts the coded stream (packets and codec headers), not Matroska's framing or the
// encoder's version SEI.
EncodeMeasurement run_peer(const PeerCodec& peer, const std::vector<Frame>& frames, Rational rate,
                           const PeerRun& run, const std::string& path);

// Rate figures for `bytes` spent on `frames` at `rate`.
void fill_rates(EncodeMeasurement& m, int64_t bytes, const std::vector<Frame>& frames, Rational rate);

}  // namespace vaec::compare
