// The payload of an intra (I) frame packet: how the model's integer latents become bytes.
//
//   payload = quality (1 byte, 1..100) · substream(z rANS) · substream(y rANS)
//             [· substream(refinement), bitstream 2.x: api/refinement.h]
//
// z is coded with its channel's factorized table; y's tables come from the integer
// hyper-synthesis run on the decoded z, so encoder and decoder select them identically.
#pragma once

#include <cstdint>
#include <vector>

#include "api/reference.h"
#include "api/refinement.h"
#include "bitstream/substreams.h"
#include "common/frame.h"
#include "entropy/cdf_table.h"
#include "entropy/status.h"
#include "model/intra.h"

namespace vaec::api {

// Encodes an analysed frame; `next` (optional) receives the reference it leaves.
std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const model::AnalysedFrame& analysed,
                                          Reference* next = nullptr);

// Encodes `frame` at `quality` (1..100): analyse_transform() then the overload above.
std::vector<uint8_t> encode_intra_payload(model::IntraModel& model, const Frame& frame, int quality);

// Decodes a payload for a width x height frame into the reference it leaves; the picture is
// the synthesis of next->y_hat_q10. Malformed data gives an error status (and leaves *next
// invalid), never undefined behaviour. Throws only on allocation failure or LibTorch errors.
// `refinement` receives the optional refinement sub-stream; nullptr (1.x streams) makes one an
// error.
Status decode_intra_payload(model::IntraModel& model, const uint8_t* data, size_t size, int width,
                            int height, Reference* next, RefinementBytes* refinement = nullptr);

// After a payload's mandatory sub-streams: takes the optional refinement one (when allowed) and
// refuses anything more.
Status take_refinement(bitstream::SubstreamReader* streams, RefinementBytes* refinement);

// The 64 Gaussian tables y and P-frame residuals are coded with (built once per process).
const entropy::CdfTableSet& gaussian_tables();

// Appends substream(rANS of values with tables[indices]) to payload.
void append_rans(const entropy::CdfTableSet& tables, const std::vector<int32_t>& values,
                 const std::vector<int32_t>& indices, std::vector<uint8_t>* payload);

}  // namespace vaec::api
