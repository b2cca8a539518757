// The payload of an intra (I) frame packet: how the model's integer latents become bytes.
//
//   payload = quality (1 byte, 1..100) · substream(z rANS) · substream(y rANS)
//
// z is coded with its channel's factorized table; y's tables come from the integer
// hyper-synthesis run on the decoded z, so encoder and decoder select them identically.
#pragma once

#include <cstdint>
#include <vector>

#include "common/frame.h"
#include "entropy/status.h"
#include "model/model_file.h"

namespace vaec::api {

// Encodes `frame` at `quality` (1..100). When `reconstruction` is given, it receives exactly
// the frame a decoder will produce from the payload (same thread count).
std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const Frame& frame, int quality,
                                          Frame* reconstruction = nullptr);

// Decodes a payload for a width x height frame. Malformed data gives an error status, never
// undefined behaviour. Throws only on allocation failure or LibTorch errors.
Status decode_intra_payload(model::IntraModel& model, const uint8_t* data, size_t size, int width,
                            int height, Frame* out);

}  // namespace vaec::api
