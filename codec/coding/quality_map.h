// What a --quality (1..100) means: the model's gain level, plus a refinement step for the
// upper half of the range.
//
// Measured on validation stills (docs/refinement.md), the model's own top levels buy little
// (quality 75 -> 100: +0.6 bpp for +0.8 dB) while the pixel refinement (coding/refinement.h) on
// its picture buys 4-7 dB per extra bit per pixel. So above quality 50 a refinement is added
// whose step falls from 64 pixels to 5 at quality 100 (about 45 dB whatever the content: a
// uniform quantizer of step s leaves an error of about s^2/12). The model level stays the
// quality: on easy content the model alone already reaches high PSNR, and the encoder then
// drops refinements that do not pay for their bits (coding/enc_frame.cpp).
#pragma once

namespace vaec::coding {

struct CodingPoint {
  int model_quality = 50;      // 1..100: the gain level of the model (the payload's quality byte)
  int refinement_step_q4 = 0;  // luma step in 1/16 pixel; 0: no refinement
  bool refined() const { return refinement_step_q4 > 0; }
};

// Monotonic: a higher quality never has a lower model quality or a coarser step.
CodingPoint coding_point(int quality);

}  // namespace vaec::coding
