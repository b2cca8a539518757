// Encoder side of P-frame payloads (syntax: coding/inter_context.h).
#pragma once

#include <cstdint>
#include <vector>

#include "coding/inter_context.h"
#include "coding/reference.h"
#include "model/intra.h"

namespace vaec::coding {

// Encodes an analysed frame as a P-frame on `ref` (valid, same quality and shape) and returns
// its residual too; apply_residual() turns `ref` into the frame it codes.
std::vector<uint8_t> encode_inter_payload(const model::AnalysedFrame& analysed, const Reference& ref,
                                          InterResidual* residual);

}  // namespace vaec::coding
