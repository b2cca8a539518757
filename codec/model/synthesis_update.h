// A synthesis update (bitstream 5.0): integer changes to the last layer of the integer
// synthesis that an encoder fits to a GOP's I-frame and sends in its payload, so the GOP's
// pictures come from a g_s adapted to its content (instance-adaptive coding, docs/presets.md).
// Only the centre tap of each 3x3 kernel and the biases change: most of a full refit's gain
// for a ninth of its parameters (24 x (S + 1) numbers), and decoding stays exact because the
// result is again an IntegerSynthesis. Syntax: coding/synthesis_update_payload.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/integer_synthesis.h"

namespace vaec::model {

struct SynthesisUpdate {
  int outputs = 0, inputs = 0;  // the last layer's: 24 and S
  std::vector<int32_t> centre;  // [outputs][inputs], added to weight[o][i][1][1]
  std::vector<int32_t> bias;    // [outputs], added to bias[o]
};

// "" when `update` fits `base`'s last layer and every changed weight stays in
// [-32767, 32767] and every bias in int32; otherwise why not (a damaged or hostile stream).
std::string synthesis_update_error(const IntegerSynthesis& base, const SynthesisUpdate& update);

// `base` with `update` applied; throws std::invalid_argument where synthesis_update_error()
// is not empty.
IntegerSynthesis apply_synthesis_update(const IntegerSynthesis& base, const SynthesisUpdate& update);

}  // namespace vaec::model
