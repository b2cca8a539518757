// Decoder side of the refinement layer (coding/refinement.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "coding/refinement.h"
#include "common/frame.h"
#include "common/status.h"

namespace vaec::coding {

// Applies a refinement sub-stream to *picture (the synthesis of the frame) and sets *offsets.
// Malformed data gives an error status and leaves *picture partly refined; never undefined
// behaviour.
Status decode_refinement(const uint8_t* data, size_t size, const RefinementContext& ctx, Frame* picture,
                         RefinementOffsets* offsets);

}  // namespace vaec::coding
