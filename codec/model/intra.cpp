#include "model/intra.h"

#include <cmath>
#include <stdexcept>

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "model/layout.h"

namespace vaec::model {

namespace {

// Q10 mean -> float, exact (|mean_q| < 2^24 always holds: activations are clamped to 2^30
// but y values that large are meaningless; the conversion is exact up to 2^24).
inline float mean_value(int32_t q) { return float(q) * (1.0f / float(1 << kActivationFracBits)); }

}  // namespace

UngainedAnalysis ungained_analysis(IntraModel& m, const Frame& frame) {
  torch::NoGradGuard no_grad;
  UngainedAnalysis out;
  out.shape = y_shape(m, frame.width, frame.height);
  torch::Tensor x = frame_to_padded_tensor(frame, kLumaMultiple / 2);
  out.y = m.net()->analysis(x);
  return out;
}

AnalysedFrame with_gain(IntraModel& m, const UngainedAnalysis& a, int quality) {
  torch::NoGradGuard no_grad;
  AnalysedFrame out;
  out.shape = a.shape;
  out.quality = quality;
  torch::Tensor y = (a.y * m.net()->gain(m.level(quality))).contiguous();
  out.y.assign(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
  return out;
}

AnalysedFrame analyse_transform(IntraModel& m, const Frame& frame, int quality) {
  return with_gain(m, ungained_analysis(m, frame), quality);
}

IntraLatents analyse(IntraModel& m, const AnalysedFrame& a) {
  torch::NoGradGuard no_grad;
  IntraLatents out;
  out.y_shape = a.shape;
  out.z_shape = {int(m.config().Nz), a.shape.height / 4, a.shape.width / 4};
  if (!a.z.empty()) {
    if (a.z.size() != out.z_shape.size()) throw std::invalid_argument("analyse: z does not match the frame size");
    out.z = a.z;
  } else {
    torch::Tensor y = torch::from_blob(const_cast<float*>(a.y.data()),
                                       {1, a.shape.channels, a.shape.height, a.shape.width}, torch::kFloat);
    torch::Tensor z = torch::round(m.net()->hyper_analysis(y)).to(torch::kInt).contiguous();
    out.z.assign(z.data_ptr<int32_t>(), z.data_ptr<int32_t>() + z.numel());
  }
  out.params = hyper_params(m, out.z, out.z_shape, at::get_num_threads());
  out.scale_index = scale_indices(out.params);
  out.y.resize(out.y_shape.size());
  for (size_t i = 0; i < out.y.size(); ++i)
    out.y[i] = int32_t(std::nearbyint(a.y[i] - mean_value(out.params.mean_q[i])));
  return out;
}

IntraLatents analyse(IntraModel& m, const Frame& frame, int quality) {
  return analyse(m, analyse_transform(m, frame, quality));
}

torch::Tensor gained_latents(IntraModel& m, const std::vector<int64_t>& y_hat_q10, const LatentShape& ys,
                             int quality) {
  torch::Tensor y_hat = torch::empty({1, ys.channels, ys.height, ys.width}, torch::kFloat);
  float* dst = y_hat.data_ptr<float>();
  // Deterministic (IEEE conversion and an exact power-of-two scale), exact below 2^24.
  const float unit = 1.0f / float(1 << kActivationFracBits);
  for (size_t i = 0; i < y_hat_q10.size(); ++i) dst[i] = float(y_hat_q10[i]) * unit;
  return y_hat * m.net()->inverse_gain(m.level(quality));
}

Frame synthesise_q10(IntraModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height,
                     int quality, const IntegerSynthesis* synthesis) {
  torch::NoGradGuard no_grad;
  const LatentShape ys = y_shape(m, width, height);
  if (y_hat_q10.size() != ys.size()) throw std::invalid_argument("synthesise: latents do not match the frame size");
  if (synthesis) return synthesise_q10(m.decoding(), y_hat_q10, width, height, quality, at::get_num_threads(), synthesis);
  if (m.float_synthesis()) return tensor_to_frame(m.synthesis(gained_latents(m, y_hat_q10, ys, quality)), width, height);
  return synthesise_q10(m.decoding(), y_hat_q10, width, height, quality, at::get_num_threads());
}

Frame synthesise(IntraModel& m, const std::vector<int32_t>& y, const HyperParams& params,
                 int width, int height, int quality) {
  const LatentShape ys = y_shape(m, width, height);
  if (y.size() != ys.size() || params.mean_q.size() != ys.size() || params.channels != ys.channels ||
      params.height != ys.height || params.width != ys.width)
    throw std::invalid_argument("synthesise: latents do not match the frame size");
  return synthesise_q10(m, latents_q10(y, params), width, height, quality);
}

}  // namespace vaec::model
