#include "coding/intra_payload.h"

#include <algorithm>

namespace vaec::coding {

std::vector<int32_t> z_table_indices(const model::LatentShape& zs) {
  std::vector<int32_t> idx(zs.size());
  const size_t plane = size_t(zs.height) * zs.width;
  for (int c = 0; c < zs.channels; ++c) std::fill_n(idx.begin() + c * plane, plane, c);
  return idx;
}

void set_intra_reference(int quality, const model::LatentShape& shape, const std::vector<int32_t>& y,
                         const model::HyperParams& params, std::vector<int32_t> scale_index, Reference* ref) {
  ref->quality = quality;
  ref->shape = shape;
  ref->y_hat_q10 = model::latents_q10(y, params);
  ref->anchor_scale_index = std::move(scale_index);
  ref->activity.assign(size_t(shape.height) * shape.width, 0);
  ref->class_scales.fill(0);
}

}  // namespace vaec::coding
