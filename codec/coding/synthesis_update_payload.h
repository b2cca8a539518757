// The synthesis update sub-stream of an I-frame payload (bitstream 5.x; what it changes:
// model/synthesis_update.h; where it sits: coding/intra_payload.h; docs/bitstream.md §5.4):
//
//   update = kind (u8, 0: the last layer's centre taps and biases)
//            · weight_shift Kw (u8, 0..40) · bias_shift Kb (u8, 0..40)
//            · weight_table (u8, 0..63) · bias_table (u8, 0..63)
//            · mask (u24 LE: bit o set, output o's centre taps change)
//            · check (u32 LE: the low 32 bits of XXH3-64 of the deltas below as int32 LE,
//              the weights' then the biases')
//            · rANS, one lane: level_w[o][i] (i < S) of each output o in the mask, in order,
//              with weight_table, then level_b[o] (o < 24) with bias_table (Gaussian tables,
//              coding/payload_common.h); level_w of the others is 0
//
//   centre[o][i] = level_w[o][i] * 2^max(0, shift_o - Kw),  bias[o] = level_b[o] * 2^max(0, shift_o - Kb)
//
// where shift_o is the last layer's output shift: a bias step moves output o by 2^-Kb pixels
// and a weight step by 2^-Kw pixels per unit of activation, whatever o's fixed-point scale.
// The check makes a damaged update an error rather than a wrong GOP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "model/synthesis_update.h"

namespace vaec::coding {

constexpr int kMaxSynthesisUpdateShift = 40;

// An update as coded: the steps and the integer levels.
struct SynthesisUpdateLevels {
  int weight_shift = 0, bias_shift = 0;
  std::vector<int32_t> weight;  // [24][S]; an output whose levels are all 0 is left out of the mask
  std::vector<int32_t> bias;    // [24]
};

// The update `levels` stand for on `base` (shapes must match); throws std::invalid_argument
// when a delta leaves 32 bits.
model::SynthesisUpdate dequantize_synthesis_update(const model::IntegerSynthesis& base,
                                                   const SynthesisUpdateLevels& levels);

// The sub-stream's bytes (without its length); picks the tables that code it smallest.
std::vector<uint8_t> write_synthesis_update(const model::IntegerSynthesis& base, const SynthesisUpdateLevels& levels);

// Parses and checks a sub-stream for `base`: kCorruptData naming what is wrong (a damaged
// update fails its check), never undefined behaviour.
Status parse_synthesis_update(const model::IntegerSynthesis& base, const uint8_t* data, size_t size,
                              model::SynthesisUpdate* out);

}  // namespace vaec::coding
