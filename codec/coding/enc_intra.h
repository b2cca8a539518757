// Encoder side of I-frame payloads (syntax: coding/intra_payload.h).
#pragma once

#include <cstdint>
#include <vector>

#include "coding/reference.h"
#include "common/frame.h"
#include "model/intra.h"

namespace vaec::coding {

// Encodes an analysed frame; `next` (optional) receives the reference it leaves.
std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const model::AnalysedFrame& analysed,
                                          Reference* next = nullptr);

// Encodes `frame` at `quality` (1..100): analyse_transform() then the overload above.
std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const Frame& frame, int quality);

}  // namespace vaec::coding
