#include "coding/enc_preset.h"

namespace vaec::coding {

void apply_preset(Preset preset, EncoderOptions* options) {
  options->latent_optimization = {};
  options->motion_first = false;
  // A synthesis update per GOP (enc_synthesis_update.h, bitstream 5.0) in every preset: BD-rate
  // -4.9 / -6.4 % on the validation clips in medium, -6.3 / -10.0 % in fast, for about 0.1 s
  // per 720p I-frame and nothing measurable at decoding. Its distortion counts 8 times
  // (docs/presets.md).
  options->synthesis_update_weight = 8;
  // Rate-distortion optimised levels of the transform residual (enc_transform_residual.h):
  // -0.46 % BD-rate on four training clips, -4.4 % on tree.avi (docs/presets.md) for 18 % of
  // medium's encoding speed; so in the slower presets only.
  options->optimise_residual_levels = preset == Preset::kSlow || preset == Preset::kVerySlow;
  switch (preset) {
    case Preset::kFast:  // and the narrow model (api/model_directory.h); a shorter motion search
      // (±16, whole pixels) was 5-8 % faster for 10 % more bytes: not taken
      options->motion_first = true;
      break;
    case Preset::kMedium:
      break;
    case Preset::kSlow:
      options->latent_optimization.iterations = 100;
      break;
    case Preset::kVerySlow:
      options->latent_optimization.iterations = 200;
      break;
  }
}

}  // namespace vaec::coding
