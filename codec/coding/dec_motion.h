// Decoder side of motion P-frames (syntax: coding/motion_payload.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/frame.h"
#include "common/status.h"
#include "model/decoding_model.h"

namespace vaec::coding {

// Decodes a motion P-frame payload (starting with kMotionPayloadMarker) into *picture,
// predicting from `previous`, the last decoded picture. Malformed data gives an error status,
// never undefined behaviour. `stream_major`: the stream's major version (3.x: vectors in
// rANS lanes by length, no transform residual; 4.x: one lane, transform residuals allowed).
// `threads` only changes speed.
Status decode_motion_payload(const model::DecodingModel& model, const uint8_t* data, size_t size,
                             const Frame& previous, int stream_major, int threads, Frame* picture);

// picture = clamp(prediction + residual - 128, 0, 255), sample by sample (both sides).
void add_motion_residual(const Frame& prediction, const Frame& residual, Frame* picture);

}  // namespace vaec::coding
