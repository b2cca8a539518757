// Encoder side of block motion (coding/motion.h): a predictive hexagon search on luma, as
// x264's `hex`, then half- and quarter-pixel refinement, each block choosing the vector of least
// SAD + lambda * bits(vector - predicted vector). Classical, needs no training.
#pragma once

#include <cstdint>
#include <vector>

#include "coding/motion.h"
#include "coding/motion_payload.h"
#include "common/frame.h"

namespace vaec::coding {

struct MotionSearchOptions {
  int range = 64;         // luma pixels each way from the best candidate
  double lambda = 4.0;    // SAD units per bit of a vector
  bool subpixel = true;   // refine to quarter pixels
};

// The field that predicts `current` from `reference` (same size). `previous` (optional, same
// size) adds each block's vector of the previous frame as a search candidate.
MotionField estimate_motion(const Frame& current, const Frame& reference, const MotionSearchOptions& options,
                            const MotionField* previous = nullptr);

// Bits of a vector difference as signed Exp-Golomb codes (what the search charges; the payload
// codes them with rANS, coding/motion_payload.h).
int vector_bits(MotionVector difference);

// A motion P-frame payload (coding/motion_payload.h) of quality 1..100: the field, then the
// residual's bytes (empty with kNone; with kIntra an I-frame payload of that quality).
std::vector<uint8_t> encode_motion_payload(int quality, const MotionField& field, MotionResidual kind,
                                           const std::vector<uint8_t>& residual = {});

// The residual picture an intra residual codes (docs/bitstream.md §3.2):
// clamp(current - prediction + 128, 0, 255). What `vaec train --motion-residuals` trains on.
Frame motion_residual(const Frame& current, const Frame& prediction);

}  // namespace vaec::coding
