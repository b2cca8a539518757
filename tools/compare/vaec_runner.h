// Runs vaec itself on frames for a comparison: encode to a real .vae file, decode, measure.
#pragma once

#include <string>
#include <vector>

#include "compare/peer_codecs.h"

namespace vaec::compare {

struct VaecRun {
  int quality = 50;
  int gop = 32;
  std::string model;  // empty: the bundled model
  int threads = 0;
  int preset = 0;     // a VaecPreset (0: medium)
};

// Throws std::runtime_error when the codec is unavailable or fails.
EncodeMeasurement run_vaec(const std::vector<Frame>& frames, Rational rate, const VaecRun& run,
                           const std::string& path);

}  // namespace vaec::compare
