// Encoder-side latent optimization (the `slow` preset): the analysis transform's latents are
// only a first guess; this searches, for one picture, the latents y and hyper-latents z that
// minimise bits + lambda * distortion against the fixed decoder and entropy model, by
// stochastic Gumbel annealing (SGA; Yang, Bamler & Mandt, NeurIPS 2020): Adam on y and z
// through a soft, annealed stochastic rounding that becomes hard rounding as the temperature
// falls. The stream format does not change: any decoder decodes the result.
#pragma once

#include <cstdint>

#include "common/frame.h"
#include "model/intra.h"

namespace vaec::coding {

struct LatentOptimizationOptions {
  int iterations = 0;            // 0: off
  double learning_rate = 0.02;   // Adam, in latent units (one quantization bin = 1): the best of
                                 // 0.005-0.04 on validation stills (docs/presets.md)
  int check_every = 10;          // the hard-rounded cost is measured this often (best iterate kept)
  uint64_t seed = 1;             // the Gumbel noise: same seed, same result
};

// What optimise_latents measured, in the model's own estimate (float h_s and g_s).
struct LatentOptimizationReport {
  double start_cost = 0;  // bits + lambda * 255^2 * MSE_YUV * pixels of the analysis' latents
  double best_cost = 0;   // of the latents returned (<= start_cost)
  int best_iteration = 0; // 0: the analysis' own latents were best
};

// `start` is `frame` analysed at its quality (model::analyse_transform). Returns latents to code
// instead: y in `y`, and the hyper-latent symbols in `z` (model::analyse() codes them as given).
// `lambda` is the model's at the frame's gain level (model_lambda()).
model::AnalysedFrame optimise_latents(model::IntraModel& m, const Frame& frame, const model::AnalysedFrame& start,
                                      double lambda, const LatentOptimizationOptions& options,
                                      LatentOptimizationReport* report = nullptr);

}  // namespace vaec::coding
