// Decoder side of I-frame payloads (syntax: coding/intra_payload.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "coding/reference.h"
#include "coding/refinement.h"
#include "common/status.h"
#include "model/decoding.h"

namespace vaec::coding {

// Decodes a payload for a width x height frame into the reference it leaves; the picture is
// the synthesis of next->y_hat_q10. Malformed data gives an error status (and leaves *next
// invalid), never undefined behaviour. Throws only on allocation failure. `threads` only
// changes speed.
// `refinement` receives the optional refinement sub-stream; nullptr (1.x streams) makes one an
// error. `synthesis_updates` (5.x streams) allows a synthesis update, which sets
// next->synthesis; otherwise one is an error.
Status decode_intra_payload(const model::DecodingModel& model, const uint8_t* data, size_t size, int width,
                            int height, int threads, Reference* next, RefinementBytes* refinement = nullptr,
                            bool synthesis_updates = false);

}  // namespace vaec::coding
