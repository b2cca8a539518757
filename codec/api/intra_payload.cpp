#include "api/intra_payload.h"

#include <stdexcept>

#include "bitstream/substreams.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::api {
namespace {

// z element (c, y, x) is coded with table c.
std::vector<int32_t> z_table_indices(const model::LatentShape& zs) {
  std::vector<int32_t> idx(zs.size());
  const size_t plane = size_t(zs.height) * zs.width;
  for (int c = 0; c < zs.channels; ++c) std::fill_n(idx.begin() + c * plane, plane, c);
  return idx;
}

void set_reference(int quality, const model::LatentShape& shape, const std::vector<int32_t>& y,
                   const model::HyperParams& params, std::vector<int32_t> scale_index, Reference* ref) {
  ref->quality = quality;
  ref->shape = shape;
  ref->y_hat_q10 = model::latents_q10(y, params);
  ref->anchor_scale_index = std::move(scale_index);
  ref->activity.assign(size_t(shape.height) * shape.width, 0);
  ref->class_scales.fill(0);
}

}  // namespace

const entropy::CdfTableSet& gaussian_tables() {
  // Built once per process; identical everywhere by construction (see gaussian_tables.h).
  static const entropy::CdfTableSet tables = [] {
    entropy::CdfTableSet t;
    if (!entropy::build_gaussian_tables(&t).ok()) throw std::runtime_error("gaussian tables");
    return t;
  }();
  return tables;
}

void append_rans(const entropy::CdfTableSet& tables, const std::vector<int32_t>& values,
                 const std::vector<int32_t>& indices, std::vector<uint8_t>* payload) {
  std::vector<uint8_t> bytes;
  Status st = entropy::enc_rans(tables, values.data(), indices.data(), values.size(), &bytes);
  if (!st.ok()) throw std::runtime_error(std::string("entropy coding failed: ") + st.message());
  bitstream::append_substream(bytes.data(), bytes.size(), payload);
}

Status take_refinement(bitstream::SubstreamReader* streams, RefinementBytes* refinement) {
  if (refinement) *refinement = RefinementBytes{};
  if (streams->done()) return OkStatus();
  if (!refinement) return Status(StatusCode::kCorruptData, "trailing bytes in frame payload");
  VAEC_RETURN_IF_ERROR(streams->next(&refinement->data, &refinement->size));
  refinement->present = true;
  if (!streams->done()) return Status(StatusCode::kCorruptData, "trailing bytes in frame payload");
  return OkStatus();
}

std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const model::AnalysedFrame& analysed,
                                          Reference* next) {
  model::IntraLatents lat = model::analyse(model, analysed);
  std::vector<uint8_t> payload;
  payload.push_back(uint8_t(analysed.quality));
  append_rans(model.z_tables(), lat.z, z_table_indices(lat.z_shape), &payload);
  append_rans(gaussian_tables(), lat.y, lat.scale_index, &payload);
  if (next) set_reference(analysed.quality, lat.y_shape, lat.y, lat.params, std::move(lat.scale_index), next);
  return payload;
}

std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const Frame& frame, int quality) {
  return encode_intra_payload(model, model::analyse_transform(model, frame, quality));
}

Status decode_intra_payload(model::IntraModel& model, const uint8_t* data, size_t size, int width,
                            int height, Reference* next, RefinementBytes* refinement) {
  next->invalidate();
  if (size < 1) return Status(StatusCode::kTruncated, "empty frame payload");
  const int quality = data[0];
  if (quality < 1 || quality > 100) return Status(StatusCode::kCorruptData, "frame quality out of range");
  bitstream::SubstreamReader streams(data + 1, size - 1);
  const uint8_t* z_bytes = nullptr;
  const uint8_t* y_bytes = nullptr;
  size_t z_size = 0, y_size = 0;
  VAEC_RETURN_IF_ERROR(streams.next(&z_bytes, &z_size));
  VAEC_RETURN_IF_ERROR(streams.next(&y_bytes, &y_size));
  VAEC_RETURN_IF_ERROR(take_refinement(&streams, refinement));

  const model::LatentShape zs = model::z_shape(model, width, height);
  std::vector<int32_t> z(zs.size());
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(model.z_tables(), z_bytes, z_size, z_table_indices(zs).data(),
                                         z.size(), z.data()));
  model::HyperParams params = model::hyper_params(model, z, zs);
  std::vector<int32_t> scale_index = model::scale_indices(params);
  std::vector<int32_t> y(scale_index.size());
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), y_bytes, y_size, scale_index.data(), y.size(),
                                         y.data()));
  set_reference(quality, model::y_shape(model, width, height), y, params, std::move(scale_index), next);
  return OkStatus();
}

}  // namespace vaec::api
