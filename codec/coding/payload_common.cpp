#include "coding/payload_common.h"

#include <stdexcept>
#include <string>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::coding {

const entropy::CdfTableSet& gaussian_tables() {
  static const entropy::CdfTableSet tables = [] {
    entropy::CdfTableSet t;
    if (!entropy::build_gaussian_tables(&t).ok()) throw std::runtime_error("gaussian tables");
    return t;
  }();
  return tables;
}

void append_rans(const entropy::CdfTableSet& tables, const std::vector<int32_t>& values,
                 const std::vector<int32_t>& indices, std::vector<uint8_t>* payload, int lanes) {
  std::vector<uint8_t> bytes;
  Status st = entropy::enc_rans(tables, values.data(), indices.data(), values.size(),
                                lanes ? lanes : entropy::rans_lanes(values.size()), &bytes);
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

}  // namespace vaec::coding
