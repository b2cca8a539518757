#include "coding/dec_intra.h"

#include <memory>

#include "bitstream/substreams.h"
#include "coding/intra_payload.h"
#include "coding/payload_common.h"
#include "coding/synthesis_update_payload.h"
#include "entropy/rans.h"

namespace vaec::coding {

Status decode_intra_payload(const model::DecodingModel& model, const uint8_t* data, size_t size, int width,
                            int height, int threads, Reference* next, RefinementBytes* refinement,
                            bool synthesis_updates) {
  next->invalidate();
  if (size < 1) return Status(StatusCode::kTruncated, "empty frame payload");
  const bool has_update = (data[0] & kSynthesisUpdateFlag) != 0;
  const int quality = data[0] & ~kSynthesisUpdateFlag;
  if (quality < 1 || quality > 100) return Status(StatusCode::kCorruptData, "frame quality out of range");
  if (has_update && !synthesis_updates)
    return Status(StatusCode::kCorruptData, "synthesis update in a stream older than 5.0");
  bitstream::SubstreamReader streams(data + 1, size - 1);
  std::shared_ptr<const model::IntegerSynthesis> synthesis;
  if (has_update) {
    const uint8_t* update_bytes = nullptr;
    size_t update_size = 0;
    VAEC_RETURN_IF_ERROR(streams.next(&update_bytes, &update_size));
    model::SynthesisUpdate update;
    VAEC_RETURN_IF_ERROR(parse_synthesis_update(model.integer_synthesis(), update_bytes, update_size, &update));
    synthesis = std::make_shared<const model::IntegerSynthesis>(
        model::apply_synthesis_update(model.integer_synthesis(), update));
  }
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
  model::HyperParams params = model::hyper_params(model, z, zs, threads);
  std::vector<int32_t> scale_index = model::scale_indices(params);
  std::vector<int32_t> y(scale_index.size());
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), y_bytes, y_size, scale_index.data(), y.size(),
                                         y.data()));
  set_intra_reference(quality, model::y_shape(model, width, height), y, params, std::move(scale_index), next);
  next->synthesis = std::move(synthesis);
  return OkStatus();
}

}  // namespace vaec::coding
