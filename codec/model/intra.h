// Intra coding with a loaded model, as integer arrays the entropy coder takes:
//
//   encoder: analyse()            -> z symbols, y symbols v = round(y - mean), CDF indices
//   decoder: hyper_params(z)      -> means and scale indices (exact integer path)
//            entropy-decode v with those indices
//            synthesise(v, params) -> frame
//
// Only synthesise() and the encoder's transforms run float LibTorch; everything that picks a
// CDF (z, the integer h_s, the scale indices, the means in y_hat = v + mean) is exact.
// Callers set LibTorch's thread count (at::set_num_threads).
//
// P-frames (api/inter_payload.h) reuse the same transforms on the exact Q10 latents
// y_hat * 1024 that both sides keep as the reference: analyse_transform() + synthesise_q10().
#pragma once

#include <cstddef>  // before common/frame.h, which uses size_t
#include <cstdint>
#include <vector>

#include "common/frame.h"
#include "model/integer_hyper.h"
#include "model/model_file.h"

namespace vaec::model {

struct LatentShape {
  int channels = 0, height = 0, width = 0;
  size_t size() const { return size_t(channels) * height * width; }
};

// Shapes for a frame of width x height luma pixels (padded to kLumaMultiple).
LatentShape y_shape(const IntraModel& m, int width, int height);
LatentShape z_shape(const IntraModel& m, int width, int height);

struct IntraLatents {
  LatentShape z_shape, y_shape;
  std::vector<int32_t> z;            // [Nz][h][w]; z table index = channel
  std::vector<int32_t> y;            // [M][H][W] symbols v = round(y - mean)
  std::vector<int32_t> scale_index;  // [M][H][W] Gaussian table per symbol
  HyperParams params;                // means/scales behind scale_index
};

// Entropy parameters from decoded z: runs the integer h_s and picks the Gaussian tables.
// `threads` only changes speed, never the result.
HyperParams hyper_params(const IntraModel& m, const std::vector<int32_t>& z, const LatentShape& zs,
                         int threads = 1);
std::vector<int32_t> scale_indices(const HyperParams& p);

// The analysis transform alone: y = g_a(frame) * gain(quality), float, [M][H][W].
struct AnalysedFrame {
  LatentShape shape;
  int quality = 0;
  std::vector<float> y;
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

// y_hat = v + mean in Q10 (exact integers): what synthesis decodes and P-frames predict from.
std::vector<int64_t> latents_q10(const std::vector<int32_t>& y, const HyperParams& params);

// Synthesis from Q10 latents y_hat * 1024 (shape y_shape(width, height)).
// model/incremental_synthesis.h gives the same pixels, reusing unchanged areas.
Frame synthesise_q10(IntraModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height,
                     int quality);
// g_s's input: y_hat as float [1][M][H][W] times the inverse gain of `quality`.
torch::Tensor gained_latents(IntraModel& m, const std::vector<int64_t>& y_hat_q10, const LatentShape& ys,
                             int quality);
Frame synthesise(IntraModel& m, const std::vector<int32_t>& y, const HyperParams& params,
                 int width, int height, int quality);

}  // namespace vaec::model
