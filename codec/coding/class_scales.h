// Forward-adaptive entropy parameters, shared by the payloads whose symbols fall into context
// classes (P-frame residuals: coding/inter_context.h; refinement levels: coding/refinement.h).
// Both sides compute every symbol's class from what they already hold; the encoder then picks,
// per class, the Gaussian table (of the 64 scales) that codes it cheapest and sends the choices
// as rANS-coded changes from a previous choice. Each user has its own number of classes N.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "entropy/cdf_table.h"

namespace vaec::coding {

template <size_t N>
using ClassScalesOf = std::array<uint8_t, N>;  // Gaussian scale index per class

// The scale choices go on the wire as one rANS symbol per class, coded with this Gaussian
// table (σ ≈ 0.4).
constexpr int kScaleDeltaTable = 12;
// A class keeps the previous choice when that costs at most this many bits more (sending an
// unchanged scale is nearly free).
constexpr double kKeepScaleBits = 4.0;

// For each of `count` classes, the table that codes that class's values in the fewest bits,
// but previous[c] when it costs at most kKeepScaleBits more. Classes without values keep the
// previous choice. Every classes[i] must be < count (std::invalid_argument otherwise).
void fit_class_scales(const entropy::CdfTableSet& tables, const int32_t* values, const uint8_t* classes, size_t n,
                      const uint8_t* previous, size_t count, uint8_t* out);
// The choices as a rANS stream of deltas against `previous` (replaces *stream).
void encode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* scales, const uint8_t* previous,
                         size_t count, std::vector<uint8_t>* stream);
// Reads them back; scales outside the 64 tables are corrupt data.
Status decode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* data, size_t size,
                           const uint8_t* previous, size_t count, uint8_t* out);

template <size_t N>
ClassScalesOf<N> fit_class_scales(const entropy::CdfTableSet& tables, const int32_t* values, const uint8_t* classes,
                                  size_t n, const ClassScalesOf<N>& previous) {
  ClassScalesOf<N> out;
  fit_class_scales(tables, values, classes, n, previous.data(), N, out.data());
  return out;
}
template <size_t N>
void encode_class_scales(const entropy::CdfTableSet& tables, const ClassScalesOf<N>& scales,
                         const ClassScalesOf<N>& previous, std::vector<uint8_t>* stream) {
  encode_class_scales(tables, scales.data(), previous.data(), N, stream);
}
template <size_t N>
Status decode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* data, size_t size,
                           const ClassScalesOf<N>& previous, ClassScalesOf<N>* out) {
  return decode_class_scales(tables, data, size, previous.data(), N, out->data());
}

}  // namespace vaec::coding
