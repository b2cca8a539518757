// Encoder side of the refinement layer (coding/refinement.h), and the encoder's choice of
// whether a frame's refinement pays for its bits.
#pragma once

#include <cstdint>
#include <vector>

#include "coding/reference.h"
#include "coding/refinement.h"
#include "common/frame.h"

namespace vaec::coding {

// Codes original - *picture with `step_q4` (carrying the previous offsets when `ctx` has them)
// and applies it: *picture becomes what the decoder will show, *offsets what it leaves for
// the next frame. Returns the refinement sub-stream's bytes.
std::vector<uint8_t> encode_refinement(const Frame& original, int step_q4, const RefinementContext& ctx,
                                       Frame* picture, RefinementOffsets* offsets);

// Codes original - *picture (the frame's synthesis) and appends it to `payload` when it pays
// for its bits, making *picture the refined picture; else leaves both alone (easy content: the
// model's picture is already within the step). `ref` is what the frame left: its offsets are
// replaced by the refinement's, or cleared. `inter`: a P-frame's (it may carry offsets).
void append_refinement(const Frame& original, int step_q4, bool inter, Reference* ref, Frame* picture,
                       std::vector<uint8_t>* payload);

}  // namespace vaec::coding
