#include "model/decoding.h"

#include <stdexcept>

#include "common/limits.h"
#include "entropy/gaussian_tables.h"

namespace vaec::model {

namespace {

int padded(int extent) { return int((extent + kLumaMultiple - 1) / kLumaMultiple * kLumaMultiple); }

void check_size(int width, int height) {
  if (width <= 0 || height <= 0 || uint32_t(width) > kMaxDimension || uint32_t(height) > kMaxDimension)
    throw std::invalid_argument("frame size out of range");
}

}  // namespace

LatentShape y_shape(const DecodingModel& m, int width, int height) {
  check_size(width, height);
  return {int(m.config().M), padded(height) / 16, padded(width) / 16};
}

LatentShape z_shape(const DecodingModel& m, int width, int height) {
  check_size(width, height);
  return {int(m.config().Nz), padded(height) / 64, padded(width) / 64};
}

HyperParams hyper_params(const DecodingModel& m, const std::vector<int32_t>& z, const LatentShape& zs,
                         int threads) {
  if (z.size() != zs.size() || zs.channels != m.hyper_synthesis().in_channels())
    throw std::invalid_argument("hyper_params: z does not match its shape");
  return m.hyper_synthesis().run(z.data(), zs.height, zs.width, threads);
}

std::vector<int32_t> scale_indices(const HyperParams& p) {
  std::vector<int32_t> idx(p.scale_q16.size());
  entropy::gaussian_scale_indices(p.scale_q16.data(), idx.data(), idx.size());
  return idx;
}

std::vector<int64_t> latents_q10(const std::vector<int32_t>& y, const HyperParams& params) {
  if (params.mean_q.size() != y.size()) throw std::invalid_argument("latents_q10: sizes differ");
  std::vector<int64_t> out(y.size());
  for (size_t i = 0; i < y.size(); ++i)
    out[i] = int64_t(y[i]) * (int64_t(1) << kActivationFracBits) + params.mean_q[i];
  return out;
}

Frame synthesise_q10(const DecodingModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height,
                     int quality, int threads, const IntegerSynthesis* synthesis) {
  const LatentShape ys = y_shape(m, width, height);
  if (y_hat_q10.size() != ys.size()) throw std::invalid_argument("synthesise: latents do not match the frame size");
  Frame frame;
  frame.allocate(width, height);
  const IntegerSynthesis::Region all{0, ys.height, 0, ys.width};
  (synthesis ? *synthesis : m.integer_synthesis()).run(y_hat_q10.data(), ys.height, ys.width, all, all, quality, m.cpu_level(), threads,
                            &frame);
  return frame;
}

}  // namespace vaec::model
