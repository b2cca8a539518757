// Intra coding with a loaded model, as integer arrays the entropy coder takes:
//
//   encoder: analyse()            -> z symbols, y symbols v = round(y - mean), CDF indices
//   decoder: hyper_params(z)      -> means and scale indices (exact integer path)
//            entropy-decode v with those indices
//            synthesise(v, params) -> frame
//
// The decoder's steps are model/decoding.h's exact integer code (no LibTorch); this file adds
// the encoder's float transforms and the same steps on the full model. Callers set LibTorch's
// thread count (at::set_num_threads), which the integer steps here use too.
//
// P-frames (api/inter_payload.h) reuse the same transforms on the exact Q10 latents
// y_hat * 1024 that both sides keep as the reference: analyse_transform() + synthesise_q10().
#pragma once

#include <cstddef>  // before common/frame.h, which uses size_t
#include <cstdint>
#include <vector>

#include "common/frame.h"
#include "model/decoding.h"
#include "model/model_file.h"

namespace vaec::model {

// model/decoding.h's functions on the full model's decoding side.
inline LatentShape y_shape(const IntraModel& m, int width, int height) { return y_shape(m.decoding(), width, height); }
inline LatentShape z_shape(const IntraModel& m, int width, int height) { return z_shape(m.decoding(), width, height); }
inline HyperParams hyper_params(const IntraModel& m, const std::vector<int32_t>& z, const LatentShape& zs,
                                int threads = 1) {
  return hyper_params(m.decoding(), z, zs, threads);
}

struct IntraLatents {
  LatentShape z_shape, y_shape;
  std::vector<int32_t> z;            // [Nz][h][w]; z table index = channel
  std::vector<int32_t> y;            // [M][H][W] symbols v = round(y - mean)
  std::vector<int32_t> scale_index;  // [M][H][W] Gaussian table per symbol
  HyperParams params;                // means/scales behind scale_index
};

// The analysis transform alone: y = g_a(frame) * gain(quality), float, [M][H][W].
struct AnalysedFrame {
  LatentShape shape;
  int quality = 0;
  std::vector<float> y;
  // The hyper-latent symbols to code ([Nz][H/4][W/4]); empty: round(h_a(y)). Latent
  // optimization (coding/enc_latent_optimization.h) chooses them with y.
  std::vector<int32_t> z;
};
AnalysedFrame analyse_transform(IntraModel& m, const Frame& frame, int quality);

// The same in two steps, so one g_a pass serves several qualities (bitrate mode tries a few
// per I-frame): with_gain(ungained_analysis(f), q) equals analyse_transform(f, q) exactly.
struct UngainedAnalysis {
  LatentShape shape;
  torch::Tensor y;  // g_a(frame), [1][M][H][W]
};
UngainedAnalysis ungained_analysis(IntraModel& m, const Frame& frame);
AnalysedFrame with_gain(IntraModel& m, const UngainedAnalysis& a, int quality);

// Intra latents of an analysed frame (h_a, the integer h_s, y symbols).
IntraLatents analyse(IntraModel& m, const AnalysedFrame& a);
IntraLatents analyse(IntraModel& m, const Frame& frame, int quality);

// synthesise_q10(m.decoding(), ..., at::get_num_threads()), or the float g_s where the model
// is set to it (IntraModel::use_float_synthesis: tools comparing the two only). With
// `synthesis` (a GOP's updated one, model/synthesis_update.h), always that integer synthesis.
Frame synthesise_q10(IntraModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height,
                     int quality, const IntegerSynthesis* synthesis = nullptr);
// g_s's input: y_hat as float [1][M][H][W] times the inverse gain of `quality`.
torch::Tensor gained_latents(IntraModel& m, const std::vector<int64_t>& y_hat_q10, const LatentShape& ys,
                             int quality);
Frame synthesise(IntraModel& m, const std::vector<int32_t>& y, const HyperParams& params,
                 int width, int height, int quality);

}  // namespace vaec::model
