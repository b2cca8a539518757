// Turns a trained float g_s into the integer synthesis (model/integer_synthesis.h), once, at
// export: weights to int16 with a power-of-two scale per output channel, IGDN's gamma and beta
// likewise, the inverse gains of qualities 1..100 to Q20, and the fixed-point position of every
// activation point from the largest value the float network produces on a fixed set of
// synthetic calibration pictures (gradients, edges, noise; the largest activations come from
// noise at quality 100), coded by the model itself at qualities 1 .. 100. The result is stored in the model file; decoding never repeats this.
#pragma once

#include "model/integer_synthesis.h"
#include "model/vae.h"

namespace vaec::model {

class IntraModel;

// From a model whose network, integer h_s and export info are set (its integer synthesis is not
// used). Throws std::runtime_error if some weight cannot be represented (never seen on trained
// models).
IntegerSynthesisParams quantize_synthesis(IntraModel& m);

// The calibration pictures (exposed for tests).
std::vector<Frame> calibration_frames();

}  // namespace vaec::model
