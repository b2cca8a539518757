#include "api/inter_payload.h"

#include <cmath>
#include <stdexcept>

#include "api/inter_context.h"
#include "api/intra_payload.h"
#include "bitstream/substreams.h"
#include "entropy/rans.h"

namespace vaec::api {
namespace {

constexpr int64_t kQ10 = 1024;
// Residuals within 0.5 + kDeadzone of zero are coded as zero: zeros are what P-frames are
// cheap for, and a latent error slightly over half a step costs little distortion.
constexpr float kDeadzone = 0.15f;
// Latents beyond this (in Q10) mean a corrupt stream; real ones stay far below 2^13.
constexpr int64_t kMaxLatentQ10 = int64_t(1) << 40;

int32_t deadzone_round(float d) {
  const float m = std::floor(std::fabs(d) + 0.5f - kDeadzone);
  if (!(m > 0)) return 0;  // also NaN
  const int32_t q = m > 1e6f ? 1000000 : int32_t(m);
  return d < 0 ? -q : q;
}

std::vector<uint8_t> classes_of(const Reference& ref) {
  const model::LatentShape& s = ref.shape;
  return context_classes(ref.anchor_scale_index.data(), ref.activity.data(), s.channels, s.height, s.width);
}

std::vector<int32_t> table_indices(const std::vector<uint8_t>& classes, const ClassScales& scales) {
  std::vector<int32_t> idx(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) idx[i] = scales[classes[i]];
  return idx;
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

Status apply_residual(const InterResidual& residual, Reference* ref) {
  const model::LatentShape& s = ref->shape;
  if (residual.r.size() != ref->y_hat_q10.size()) return Status(StatusCode::kInvalidArgument, "residual size");
  for (size_t i = 0; i < residual.r.size(); ++i) {
    const int64_t v = ref->y_hat_q10[i] + int64_t(residual.r[i]) * kQ10;
    if (v > kMaxLatentQ10 || v < -kMaxLatentQ10) return Status(StatusCode::kCorruptData, "P-frame latent out of range");
    ref->y_hat_q10[i] = v;
  }
  ref->activity = activity_from_residual(residual.r.data(), s.channels, s.height, s.width);
  ref->class_scales = residual.scales;
  return OkStatus();
}

namespace {

Status decode_residual_into(const uint8_t* data, size_t size, Reference* ref, RefinementBytes* refinement) {
  if (size < 1) return Status(StatusCode::kTruncated, "empty frame payload");
  if (data[0] != ref->quality) return Status(StatusCode::kCorruptData, "P-frame quality differs from its reference's");
  bitstream::SubstreamReader streams(data + 1, size - 1);
  const uint8_t *scale_bytes = nullptr, *r_bytes = nullptr;
  size_t scale_size = 0, r_size = 0;
  VAEC_RETURN_IF_ERROR(streams.next(&scale_bytes, &scale_size));
  VAEC_RETURN_IF_ERROR(streams.next(&r_bytes, &r_size));
  VAEC_RETURN_IF_ERROR(take_refinement(&streams, refinement));
  InterResidual residual;
  VAEC_RETURN_IF_ERROR(
      decode_class_scales(gaussian_tables(), scale_bytes, scale_size, ref->class_scales, &residual.scales));
  const std::vector<int32_t> idx = table_indices(classes_of(*ref), residual.scales);
  residual.r.resize(idx.size());
  VAEC_RETURN_IF_ERROR(
      entropy::dec_rans(gaussian_tables(), r_bytes, r_size, idx.data(), residual.r.size(), residual.r.data()));
  return apply_residual(residual, ref);
}

}  // namespace

Status decode_inter_payload(const uint8_t* data, size_t size, Reference* ref, RefinementBytes* refinement) {
  if (!ref->valid())
    return Status(StatusCode::kCorruptData, "P-frame without a decodable reference (decoding must start at an I-frame)");
  Status st = decode_residual_into(data, size, ref, refinement);
  if (!st.ok()) ref->invalidate();  // its latents may be half updated
  return st;
}

}  // namespace vaec::api
