#include "coding/enc_inter.h"

#include <cmath>
#include <stdexcept>

#include "bitstream/substreams.h"
#include "coding/payload_common.h"

namespace vaec::coding {
namespace {

constexpr int64_t kQ10 = 1024;
// Residuals within 0.5 + kDeadzone of zero are coded as zero: zeros are what P-frames are
// cheap for, and a latent error slightly over half a step costs little distortion.
constexpr float kDeadzone = 0.15f;

int32_t deadzone_round(float d) {
  const float m = std::floor(std::fabs(d) + 0.5f - kDeadzone);
  if (!(m > 0)) return 0;  // also NaN
  const int32_t q = m > 1e6f ? 1000000 : int32_t(m);
  return d < 0 ? -q : q;
}

}  // namespace

std::vector<uint8_t> encode_inter_payload(const model::AnalysedFrame& analysed, const Reference& ref,
                                          InterResidual* residual) {
  if (!ref.valid() || ref.quality != analysed.quality || ref.y_hat_q10.size() != analysed.y.size())
    throw std::invalid_argument("P-frame: the reference does not match the frame");
  std::vector<int32_t>& r = residual->r;
  r.resize(analysed.y.size());
  for (size_t i = 0; i < r.size(); ++i) r[i] = deadzone_round(analysed.y[i] - float(ref.y_hat_q10[i]) / float(kQ10));

  const std::vector<uint8_t> classes = classes_of(ref);
  residual->scales = fit_class_scales(gaussian_tables(), r.data(), classes.data(), r.size(), ref.class_scales);

  std::vector<uint8_t> payload;
  payload.push_back(uint8_t(analysed.quality));
  std::vector<uint8_t> scale_stream;
  encode_class_scales(gaussian_tables(), residual->scales, ref.class_scales, &scale_stream);
  bitstream::append_substream(scale_stream.data(), scale_stream.size(), &payload);
  append_rans(gaussian_tables(), r, table_indices(classes, residual->scales), &payload);
  return payload;
}

}  // namespace vaec::coding
