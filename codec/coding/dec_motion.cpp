#include "coding/dec_motion.h"

#include <algorithm>

#include "bitstream/container.h"
#include "coding/dec_intra.h"
#include "coding/dec_transform_residual.h"
#include "coding/motion_payload.h"
#include "model/decoding.h"

namespace vaec::coding {

void add_motion_residual(const Frame& prediction, const Frame& residual, Frame* picture) {
  picture->allocate(prediction.width, prediction.height);
  for (int p = 0; p < 3; ++p) {
    const uint8_t* a = prediction.planes[p].data();
    const uint8_t* r = residual.planes[p].data();
    uint8_t* out = picture->planes[p].data();
    for (size_t i = 0; i < picture->planes[p].size(); ++i) out[i] = uint8_t(std::clamp(a[i] + r[i] - 128, 0, 255));
  }
}

Status decode_motion_payload(const model::DecodingModel& model, const uint8_t* data, size_t size,
                             const Frame& previous, int stream_major, int threads, Frame* picture) {
  const bool version4 = stream_major >= bitstream::kTransformResidualMajor;
  constexpr size_t kHead = 3;  // marker, quality, flags
  if (size < kHead) return Status(StatusCode::kTruncated, "motion P-frame: too short");
  if (data[0] != kMotionPayloadMarker) return Status(StatusCode::kCorruptData, "motion P-frame: no marker");
  const int quality = data[1];
  if (quality < 1 || quality > 100) return Status(StatusCode::kCorruptData, "frame quality out of range");
  const uint8_t flags = data[2];
  if (flags > uint8_t(MotionResidual::kTransform))
    return Status(StatusCode::kCorruptData, "motion P-frame: unknown flags");
  const MotionResidual kind = MotionResidual(flags);
  MotionField field = MotionField::for_frame(previous.width, previous.height);
  size_t used = 0;
  VAEC_RETURN_IF_ERROR(read_motion_field(data + kHead, size - kHead, version4, &field, &used));
  const uint8_t* rest = data + kHead + used;
  const size_t rest_size = size - kHead - used;
  Frame prediction;
  predict_picture(previous, field, &prediction);
  if (kind == MotionResidual::kNone) {
    if (rest_size) return Status(StatusCode::kCorruptData, "motion P-frame: trailing bytes");
    *picture = std::move(prediction);
    return OkStatus();
  }
  if (kind == MotionResidual::kTransform) {
    if (!version4)
      return Status(StatusCode::kCorruptData, "motion P-frame with a transform residual in a stream older than 4.0");
    return decode_transform_residual(rest, rest_size, prediction, picture);
  }
  if (rest_size < 1 || rest[0] != quality)
    return Status(StatusCode::kCorruptData, "motion P-frame: residual quality differs from the frame's");
  Reference residual;
  VAEC_RETURN_IF_ERROR(
      decode_intra_payload(model, rest, rest_size, previous.width, previous.height, threads, &residual, nullptr));
  const Frame r = model::synthesise_q10(model, residual.y_hat_q10, previous.width, previous.height, residual.quality,
                                        threads);
  add_motion_residual(prediction, r, picture);
  return OkStatus();
}

}  // namespace vaec::coding
