#include "coding/intra_payload.h"

#include <algorithm>
#include <stdexcept>

#include "bitstream/substreams.h"

namespace vaec::coding {

std::vector<int32_t> z_table_indices(const model::LatentShape& zs) {
  std::vector<int32_t> idx(zs.size());
  const size_t plane = size_t(zs.height) * zs.width;
  for (int c = 0; c < zs.channels; ++c) std::fill_n(idx.begin() + c * plane, plane, c);
  return idx;
}

void insert_synthesis_update(const std::vector<uint8_t>& update, std::vector<uint8_t>* payload) {
  if (payload->empty() || ((*payload)[0] & kSynthesisUpdateFlag))
    throw std::logic_error("insert_synthesis_update: not an I-frame payload without an update");
  std::vector<uint8_t> framed;
  bitstream::append_substream(update.data(), update.size(), &framed);
  (*payload)[0] |= kSynthesisUpdateFlag;
  payload->insert(payload->begin() + 1, framed.begin(), framed.end());
}

size_t synthesis_update_size(const std::vector<uint8_t>& payload) {
  if (payload.empty() || !(payload[0] & kSynthesisUpdateFlag)) return 0;
  bitstream::SubstreamReader streams(payload.data() + 1, payload.size() - 1);
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (!streams.next(&data, &size).ok()) return 0;
  return size_t(streams.rest() - (payload.data() + 1));
}

void set_intra_reference(int quality, const model::LatentShape& shape, const std::vector<int32_t>& y,
                         const model::HyperParams& params, std::vector<int32_t> scale_index, Reference* ref) {
  ref->quality = quality;
  ref->shape = shape;
  ref->y_hat_q10 = model::latents_q10(y, params);
  ref->anchor_scale_index = std::move(scale_index);
  ref->activity.assign(size_t(shape.height) * shape.width, 0);
  ref->class_scales.fill(0);
  ref->synthesis = nullptr;
}

}  // namespace vaec::coding
