#include "coding/motion_payload.h"

#include <cstdlib>

#include "bitstream/substreams.h"
#include "coding/class_scales.h"
#include "coding/payload_common.h"
#include "entropy/rans.h"

namespace vaec::coding {

int payload_quality(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  if (data[0] != kMotionPayloadMarker) return data[0] & 0x7F;  // an I-frame's bit 7: coding/intra_payload.h
  return size >= 2 ? data[1] : 0;
}

std::vector<int32_t> vector_differences(const MotionField& f) {
  std::vector<int32_t> d;
  d.reserve(2 * f.vectors.size());
  for (int r = 0; r < f.rows; ++r)
    for (int c = 0; c < f.cols; ++c) {
      const MotionVector v = f.at(r, c), p = predicted_vector(f, r, c);
      d.push_back(v.x - p.x);
      d.push_back(v.y - p.y);
    }
  return d;
}

void append_motion_field(const MotionField& field, std::vector<uint8_t>* payload) {
  const std::vector<int32_t> d = vector_differences(field);
  std::vector<uint8_t> component(d.size());
  for (size_t i = 0; i < d.size(); ++i) component[i] = uint8_t(i & 1);
  const uint8_t previous[2] = {0, 0};
  uint8_t scales[2];
  fit_class_scales(gaussian_tables(), d.data(), component.data(), d.size(), previous, 2, scales);
  payload->push_back(scales[0]);
  payload->push_back(scales[1]);
  std::vector<int32_t> idx(d.size());
  for (size_t i = 0; i < d.size(); ++i) idx[i] = scales[i & 1];
  append_rans(gaussian_tables(), d, idx, payload, 1);
}

Status read_motion_field(const uint8_t* data, size_t size, bool one_lane, MotionField* field, size_t* used) {
  if (size < 2) return Status(StatusCode::kTruncated, "motion: too short");
  const int tables = int(gaussian_tables().size());
  if (data[0] >= tables || data[1] >= tables) return Status(StatusCode::kCorruptData, "motion: scale out of range");
  bitstream::SubstreamReader streams(data + 2, size - 2);
  const uint8_t* bytes = nullptr;
  size_t n_bytes = 0;
  VAEC_RETURN_IF_ERROR(streams.next(&bytes, &n_bytes));
  std::vector<int32_t> d(2 * field->vectors.size()), idx(d.size());
  for (size_t i = 0; i < d.size(); ++i) idx[i] = data[i & 1];
  const int lanes = one_lane ? 1 : entropy::rans_lanes(d.size());
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), bytes, n_bytes, idx.data(), d.size(), lanes, d.data()));
  size_t i = 0;
  for (int r = 0; r < field->rows; ++r)
    for (int c = 0; c < field->cols; ++c, i += 2) {
      const MotionVector p = predicted_vector(*field, r, c);
      // |p| <= kMaxMotionQpel, so a difference beyond twice that cannot give a valid vector.
      if (std::abs(int64_t(d[i])) > 2 * kMaxMotionQpel || std::abs(int64_t(d[i + 1])) > 2 * kMaxMotionQpel)
        return Status(StatusCode::kCorruptData, "motion: vector out of range");
      const MotionVector v{p.x + d[i], p.y + d[i + 1]};
      if (std::abs(v.x) > kMaxMotionQpel || std::abs(v.y) > kMaxMotionQpel)
        return Status(StatusCode::kCorruptData, "motion: vector out of range");
      field->at(r, c) = v;
    }
  *used = size - streams.rest_size();
  return OkStatus();
}

}  // namespace vaec::coding
