#include "coding/dec_refinement.h"

#include <cstdlib>

#include "bitstream/substreams.h"
#include "coding/payload_common.h"
#include "coding/refinement_levels.h"
#include "entropy/byte_io.h"
#include "entropy/rans.h"

namespace vaec::coding {
using namespace refinement_detail;

Status decode_refinement(const uint8_t* data, size_t size, const RefinementContext& ctx, Frame* picture,
                         RefinementOffsets* offsets) {
  if (size < 3) return Status(StatusCode::kTruncated, "refinement: too short");
  const uint8_t mode = data[0];
  if (mode != kIntraMode && mode != kCarryMode) return Status(StatusCode::kCorruptData, "refinement: unknown mode");
  if (mode == kCarryMode && !has_offsets(ctx.previous))
    return Status(StatusCode::kCorruptData, "refinement: carries offsets no previous frame left");
  const int step_q4 = load_le16(data + 1);
  if (step_q4 < kMinRefinementStepQ4 || step_q4 > kMaxRefinementStepQ4)
    return Status(StatusCode::kCorruptData, "refinement: step out of range");
  check_context(ctx, *picture);
  const Carry carry(ctx, mode == kCarryMode);
  bitstream::SubstreamReader streams(data + 3, size - 3);
  const uint8_t* part[3];
  size_t part_size[3];
  for (int i = 0; i < 3; ++i) VAEC_RETURN_IF_ERROR(streams.next(&part[i], &part_size[i]));
  if (!streams.done()) return Status(StatusCode::kCorruptData, "refinement: trailing bytes");
  RefinementScales defaults, scales;
  defaults.fill(kDefaultScale);
  VAEC_RETURN_IF_ERROR(decode_class_scales(gaussian_tables(), part[0], part_size[0], defaults, &scales));

  Levels levels(*picture);
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<uint8_t> classes = pass_classes(carry, levels, pass);
    std::vector<int32_t> idx(classes.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = scales[classes[i]];
    std::vector<int32_t> values(idx.size());
    VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), part[1 + pass], part_size[1 + pass], idx.data(),
                                           values.size(), values.data()));
    size_t i = 0;
    for (int p = 0; p < 3; ++p) {
      // A level beyond a full pixel range never comes from an encoder (and would overflow).
      const int64_t max_level = 256 * 16 / plane_step(p, step_q4);
      for (int y = 0; y < levels.height[size_t(p)]; ++y) {
        int32_t* row = levels.q[size_t(p)].data() + size_t(y) * levels.width[size_t(p)];
        for (int x = (y + pass) & 1; x < levels.width[size_t(p)]; x += 2) {
          const int32_t q = values[i++];
          if (std::abs(int64_t(q)) > max_level) return Status(StatusCode::kCorruptData, "refinement: level out of range");
          row[x] = q;
        }
      }
    }
  }
  apply_levels(levels, carry, step_q4, picture, offsets);
  return OkStatus();
}

}  // namespace vaec::coding
