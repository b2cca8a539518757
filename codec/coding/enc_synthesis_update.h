// Encoder side of synthesis updates (model/synthesis_update.h): fits the last layer's centre
// taps and biases of the integer synthesis to one picture by least squares on the exact
// integer activations that feed it, quantizes the change at several step sizes and ridges,
// and keeps the one that lowers rate + distortion most (its bits counted), if any does.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "coding/enc_transform_residual.h"
#include "common/frame.h"
#include "model/decoding_model.h"

namespace vaec::coding {

struct FittedSynthesisUpdate {
  std::vector<uint8_t> bytes;  // the sub-stream (coding/synthesis_update_payload.h); empty: none pays
  std::shared_ptr<const model::IntegerSynthesis> synthesis;  // the model's with it applied
  double gain = 0;  // bits: what it saves of the pictures' distortion (exact, at `lambdas`) less its own bits
};

// The update that best codes `input` from latents y_hat_q10 (its size's y_shape) at `quality`
// and the squared-error prices `lambdas` (bits per squared error of a luma and a chroma
// sample). `distortion_weight` counts the picture's distortion that many times (the GOP's
// later pictures use the update too). Returned only where it lowers the picture's cost,
// measured exactly on the samples a decoder makes. Deterministic; `threads` changes only speed.
FittedSynthesisUpdate fit_synthesis_update(const model::DecodingModel& m, const Frame& input,
                                           const std::vector<int64_t>& y_hat_q10, int quality,
                                           const SampleLambdas& lambdas, double distortion_weight, int threads);

}  // namespace vaec::coding
