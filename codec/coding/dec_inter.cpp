#include "coding/dec_inter.h"

#include "bitstream/substreams.h"
#include "coding/inter_context.h"
#include "coding/payload_common.h"
#include "entropy/rans.h"

namespace vaec::coding {
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

}  // namespace vaec::coding
