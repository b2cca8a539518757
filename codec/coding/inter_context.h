// P-frames, what encoder and decoder share (coding/enc_inter.h and coding/dec_inter.h code and
// parse the payload): which Gaussian table codes each latent residual, and how a residual
// updates the reference. The payload codes the frame's latents as a residual on the previous
// frame's exact latents (a temporal prior in latent space, no pixels involved):
//
//   r       = round_deadzone(y_t - y_hat_{t-1})     per latent element (integers)
//   y_hat_t = y_hat_{t-1} + r                        (exact Q10 integers on both sides)
//   payload = quality (1 byte, equal to the reference's) · substream(class scales, rANS)
//           · substream(r rANS, tables by the context classes below)
//           [· substream(refinement), bitstream 2.x: coding/refinement.h]
//
// Predicting from integer latents makes the reference bit-identical on both sides by
// construction (the float synthesis never feeds back), so quality cannot drift in a GOP: every
// frame's latents stay within the quantizer's reach of its own analysis.
//
// Its
// tables are chosen per *context class*, computed identically by encoder and decoder from
// what both already have, then one Gaussian scale per class is sent in the payload (forward
// adaptation, coding/class_scales.h: the encoder measures which table codes each class
// cheapest, and sends the change from the previous P-frame's choices):
//
//   class = anchor bucket (the GOP's I-frame scale index / 4: how busy this latent is)
//         × activity (0, 1, 2: did the previous frame's residual move near this position)
//
// Pure integer code, no LibTorch: the decoder's choice is exact by construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coding/class_scales.h"
#include "common/status.h"

namespace vaec::coding {

struct Reference;

constexpr int kAnchorBuckets = 16;  // 64 Gaussian scale indices / 4
constexpr int kActivityLevels = 3;
constexpr int kInterClasses = kAnchorBuckets * kActivityLevels;

using ClassScales = ClassScalesOf<kInterClasses>;  // a P-frame's table per class

// Activity map [height][width] (0..2) left by a residual [channels][height][width]: how many
// channels changed, at the busiest position of each 3x3 neighbourhood. All zero after an
// I-frame.
std::vector<uint8_t> activity_from_residual(const int32_t* residual, int channels, int height, int width);

// Context class of every element [channels][height][width].
std::vector<uint8_t> context_classes(const int32_t* anchor_scale_index, const uint8_t* activity, int channels,
                                     int height, int width);

// What a P-frame payload carries: the latent residual and the class scales it was coded with.
struct InterResidual {
  std::vector<int32_t> r;  // [M][H][W]
  ClassScales scales{};
};

// The context class of every latent element of the P-frame that follows `ref`.
std::vector<uint8_t> classes_of(const Reference& ref);
// The Gaussian table of every element: its class's scale.
std::vector<int32_t> table_indices(const std::vector<uint8_t>& classes, const ClassScales& scales);

// Both sides: y_hat += r (Q10), and the activity and class scales the next P-frame starts
// from. A latent beyond the corrupt-stream bound gives kCorruptData (*ref partly updated).
Status apply_residual(const InterResidual& residual, Reference* ref);

}  // namespace vaec::coding
