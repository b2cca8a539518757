// The refinement layer: a pixel-domain residual coded on top of the model's picture, so that
// the highest qualities go past what the latents alone reach (quality 100 reaches about 45 dB).
//
//   picture = clip(synthesis + offset),  offset = carried + dequantize(q),
//   q = round((original - synthesis - carried) / step)   (carried: 0, or in P-frames the
//                                                          previous offset where latents held still)
//
// The residual is coded in two checkerboard passes per plane (like the checkerboard context
// models of learned codecs, and for the same reason: no serial per-sample dependency inside a
// pass). Pass A, samples with (x + y) even, is coded by the busyness of the latent block
// around the sample (the mean Gaussian scale index of the GOP's I-frame latents there), or as
// "carried" where a P-frame carries the previous offsets; pass B, the other half, by the
// magnitude of its four pass-A neighbours. Each class's Gaussian table is chosen by the
// encoder and sent in the payload (forward adaptation, as P-frames do).
//
// Every context comes from integers both sides hold (the decoded q and the latents' scale
// indices), never from the float synthesis, so the entropy decoding is exact; the picture the
// refinement is added to may differ by float rounding and that difference cannot propagate:
// nothing predicts from pixels.
//
// Encoder side: coding/enc_refinement.h; decoder side: coding/dec_refinement.h; the passes and
// classes both run: coding/refinement_levels.h.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/frame.h"
#include "common/status.h"

namespace vaec::coding {

// Quantizer step of luma in 1/16 pixel units; chroma's is 5/4 of it (PSNR-YUV weighs a chroma
// sample 4/6 of a luma sample, so equal-slope steps differ by sqrt(6/4)).
constexpr int kMinRefinementStepQ4 = 16;         // 1 pixel
constexpr int kMaxRefinementStepQ4 = 64 * 16;    // 64 pixels
int chroma_refinement_step_q4(int luma_step_q4);

// The latent busyness the pass-A contexts use: per y position, the mean over channels of the
// GOP's I-frame Gaussian scale index (Reference::anchor_scale_index).
struct LatentBusyness {
  int height = 0, width = 0;        // y's spatial size
  std::vector<uint8_t> mean_index;  // [height][width], 0..63
};
// anchor_scale_index is [channels][height][width].
LatentBusyness latent_busyness(const int32_t* anchor_scale_index, int channels, int height, int width);

// Per plane, the offset each sample got (picture = clip(synthesis + offset)), in [-255, 255];
// all planes empty when the frame had no refinement. A P-frame's refinement may carry the
// previous frame's offsets where the latents held still, and code only their change.
using RefinementOffsets = std::array<std::vector<int16_t>, 3>;

// What a refinement is coded against, all integers both sides hold.
struct RefinementContext {
  LatentBusyness busyness;
  // P-frames only: the previous frame's offsets and the activity map of this frame's latent
  // residual ([busyness.height][busyness.width], 0: no latent changed within a 3x3
  // neighbourhood, so the synthesis there is the previous one). Offsets are carried where the
  // activity is 0.
  const RefinementOffsets* previous = nullptr;
  const uint8_t* activity = nullptr;
};

// The optional refinement sub-stream that ends a frame payload (bitstream 2.x).
struct RefinementBytes {
  bool present = false;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

}  // namespace vaec::coding
