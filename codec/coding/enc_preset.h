// What each encoder preset (vaec.h VaecPreset) spends its time on beyond its model (which the
// caller picks, api/model_directory.h): the latent optimization of I-frames
// (coding/enc_latent_optimization.h). The choices and their measurements: docs/presets.md.
#pragma once

#include "coding/enc_frame.h"

namespace vaec::coding {

enum class Preset { kFast = 1, kMedium = 2, kSlow = 3, kVerySlow = 4 };

// Sets the preset's fields of `options` (the others, quality, GOP and rate, stay).
void apply_preset(Preset preset, EncoderOptions* options);

}  // namespace vaec::coding
