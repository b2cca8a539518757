// What a coded frame leaves behind for the P-frames that follow it. Encoder and decoder
// build it from the same integers, so it is bit-identical on both sides whatever the thread
// count: P-frames predict from latents, never from float pixels.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "coding/inter_context.h"
#include "coding/refinement.h"
#include "model/decoding.h"

namespace vaec::coding {

struct Reference {
  int quality = 0;                          // 0: no usable reference
  model::LatentShape shape;                 // of y
  std::vector<int64_t> y_hat_q10;           // the frame's latents y_hat * 1024, exact
  std::vector<int32_t> anchor_scale_index;  // Gaussian table per y element of the GOP's I-frame
  std::vector<uint8_t> activity;            // [H][W] 0..2, from the last P-frame's residual
  ClassScales class_scales{};               // the last P-frame's (all 0 after an I-frame)
  RefinementOffsets refinement_offsets;     // the last frame's refinement (empty: none)
  // The GOP's synthesis: the model's with the I-frame's synthesis update applied (null: no
  // update, the model's own). Every latent picture of the GOP is made with it.
  std::shared_ptr<const model::IntegerSynthesis> synthesis;

  bool valid() const { return quality != 0; }
  void invalidate() { quality = 0; }
};

// What the refinement of the frame that left `ref` is coded against (coding/refinement.h): a
// P-frame's may carry the previous frame's offsets where its latents held still.
inline RefinementContext refinement_context(const Reference& ref, bool inter) {
  RefinementContext ctx;
  ctx.busyness = latent_busyness(ref.anchor_scale_index.data(), ref.shape.channels, ref.shape.height, ref.shape.width);
  if (inter) {
    ctx.previous = &ref.refinement_offsets;
    ctx.activity = ref.activity.data();
  }
  return ctx;
}

}  // namespace vaec::coding
