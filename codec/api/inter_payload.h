// The payload of a P-frame packet: the frame's latents coded as a residual on the previous
// frame's exact latents (a temporal prior in latent space, no pixels involved).
//
//   r       = round_deadzone(y_t - y_hat_{t-1})     per latent element (integers)
//   y_hat_t = y_hat_{t-1} + r                        (exact Q10 integers on both sides)
//   payload = quality (1 byte, equal to the reference's) · substream(class scales, rANS)
//           · substream(r rANS, tables from api/inter_context.h)
//           [· substream(refinement), bitstream 2.x: api/refinement.h]
//
// Predicting from integer latents makes the reference bit-identical on both sides by
// construction (the float synthesis never feeds back), so quality cannot drift in a GOP: every
// frame's latents stay within the quantizer's reach of its own analysis.
#pragma once

#include <cstdint>
#include <vector>

#include "api/reference.h"
#include "api/refinement.h"
#include "entropy/status.h"
#include "model/intra.h"

namespace vaec::api {

// What a P-frame payload carries: the latent residual and the class scales it was coded with.
struct InterResidual {
  std::vector<int32_t> r;  // [M][H][W]
  ClassScales scales{};
};

// Encodes an analysed frame as a P-frame on `ref` (valid, same quality and shape) and returns
// its residual too; apply_residual() turns `ref` into the frame it codes.
std::vector<uint8_t> encode_inter_payload(const model::AnalysedFrame& analysed, const Reference& ref,
                                          InterResidual* residual);

// Both sides: y_hat += r (Q10), and the activity and class scales the next P-frame starts
// from. A latent beyond the corrupt-stream bound gives kCorruptData (*ref partly updated).
Status apply_residual(const InterResidual& residual, Reference* ref);

// Decodes a P-frame payload on `*ref`, which it updates in place. An invalid reference or
// malformed data give an error status and leave *ref invalid (later P-frames fail too until
// the next I-frame), never undefined behaviour. `refinement` as in decode_intra_payload().
Status decode_inter_payload(const uint8_t* data, size_t size, Reference* ref, RefinementBytes* refinement = nullptr);

}  // namespace vaec::api
