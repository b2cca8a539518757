// The entropy model of a P-frame: which Gaussian table codes each latent residual.
//
// A P-frame codes r = round(y_t - y_hat_{t-1}) per latent element (api/inter_payload.h). Its
// tables are chosen per *context class*, computed identically by encoder and decoder from
// what both already have, then one Gaussian scale per class is sent in the payload (forward
// adaptation: the encoder measures which table codes each class cheapest, and sends the
// change from the previous P-frame's choices):
//
//   class = anchor bucket (the GOP's I-frame scale index / 4: how busy this latent is)
//         × activity (0, 1, 2: did the previous frame's residual move near this position)
//
// Pure integer code, no LibTorch: the decoder's choice is exact by construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/cdf_table.h"
#include "entropy/status.h"

namespace vaec::api {

constexpr int kAnchorBuckets = 16;  // 64 Gaussian scale indices / 4
constexpr int kActivityLevels = 3;
constexpr int kInterClasses = kAnchorBuckets * kActivityLevels;
// The class scales go on the wire as their change from the previous P-frame's (all 0 after an
// I-frame): one rANS symbol per class, coded with this Gaussian table (σ ≈ 0.4).
constexpr int kScaleDeltaTable = 12;

using ClassScales = std::array<uint8_t, kInterClasses>;  // Gaussian scale index per class

// Activity map [height][width] (0..2) left by a residual [channels][height][width]: how many
// channels changed, at the busiest position of each 3x3 neighbourhood. All zero after an
// I-frame.
std::vector<uint8_t> activity_from_residual(const int32_t* residual, int channels, int height, int width);

// Context class of every element [channels][height][width].
std::vector<uint8_t> context_classes(const int32_t* anchor_scale_index, const uint8_t* activity, int channels,
                                     int height, int width);

// For each class, the Gaussian table (of `tables`, the 64 scales) that codes that class's
// residuals in the fewest bits; but the `previous` frame's choice when it costs at most
// kKeepScaleBits more (sending an unchanged scale is nearly free). Classes without elements
// keep the previous choice.
constexpr double kKeepScaleBits = 4.0;
ClassScales fit_class_scales(const entropy::CdfTableSet& tables, const int32_t* residual,
                             const uint8_t* classes, size_t n, const ClassScales& previous);

// The class scales as a rANS stream of deltas against `previous` (replaces *stream).
void encode_class_scales(const entropy::CdfTableSet& tables, const ClassScales& scales, const ClassScales& previous,
                         std::vector<uint8_t>* stream);
// Reads them back; scales outside the 64 tables are corrupt data.
Status decode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* data, size_t size,
                           const ClassScales& previous, ClassScales* out);

}  // namespace vaec::api
