#include "coding/enc_intra.h"

#include "coding/intra_payload.h"
#include "coding/payload_common.h"

namespace vaec::coding {

std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const model::AnalysedFrame& analysed,
                                          Reference* next) {
  model::IntraLatents lat = model::analyse(model, analysed);
  std::vector<uint8_t> payload;
  payload.push_back(uint8_t(analysed.quality));
  append_rans(model.z_tables(), lat.z, z_table_indices(lat.z_shape), &payload);
  append_rans(gaussian_tables(), lat.y, lat.scale_index, &payload);
  if (next) set_intra_reference(analysed.quality, lat.y_shape, lat.y, lat.params, std::move(lat.scale_index), next);
  return payload;
}

std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const Frame& frame, int quality) {
  return encode_intra_payload(model, model::analyse_transform(model, frame, quality));
}

}  // namespace vaec::coding
