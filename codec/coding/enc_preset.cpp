#include "coding/enc_preset.h"

namespace vaec::coding {

void apply_preset(Preset preset, EncoderOptions* options) {
  *options = [&] {
    EncoderOptions o = *options;
    o.motion_search_range = 64;
    o.motion_subpixel = true;
    o.latent_optimization = {};
    switch (preset) {
      case Preset::kFast:
        o.motion_search_range = 16;
        o.motion_subpixel = false;
        break;
      case Preset::kMedium:
        break;
      case Preset::kSlow:
        o.latent_optimization.iterations = 100;
        break;
      case Preset::kVerySlow:
        o.latent_optimization.iterations = 300;
        break;
    }
    return o;
  }();
}

}  // namespace vaec::coding
