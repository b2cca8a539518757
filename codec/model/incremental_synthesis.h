// Synthesis that re-runs g_s only where the latents changed since its previous picture.
//
// A P-frame of a still scene leaves most latents exactly as they were (its dead-zone
// residuals are zero), and g_s is local: the 16x16 luma block of latent (i, j) depends only
// on latents within kHalo positions of it. So the latent grid is cut into tiles; a tile
// whose neighbourhood is unchanged keeps the previous picture's pixels, the others are
// synthesised as rectangles extended by the halo and cropped. At the frame's edges the
// rectangle stops where the frame does, so every layer zero-pads exactly as the whole-frame
// pass does: the pixels equal synthesise_q10()'s (tests/model/test_incremental_synthesis.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/frame.h"
#include "model/decoding.h"

namespace vaec::model {

class IncrementalSynthesis {
 public:
  // Same contract and result as synthesise_q10() (model/decoding.h); a picture made with
  // another `synthesis` than the previous one is made whole.
  Frame run(const DecodingModel& m, const std::vector<int64_t>& y_hat_q10, int width, int height, int quality,
            int threads, std::shared_ptr<const IntegerSynthesis> synthesis = nullptr);
  void reset() {
    previous_y_.clear();
    previous_synthesis_ = nullptr;
  }

  struct Stats {
    int64_t tiles = 0;              // latent tiles of all pictures made
    int64_t tiles_synthesised = 0;  // of which g_s ran on (the rest were reused)
  };
  const Stats& stats() const { return stats_; }

  // g_s's reach in latents: 3x3 convolutions at 1/16, 1/8 and 1/4 luma resolution reach
  // 1 + 1/2 + 1/4 latents. Tied to VaeImpl's g_s; the tests fail if it grows.
  static constexpr int kHalo = 2;
  static constexpr int kTile = 8;  // latents (128 luma pixels) per tile side

  struct Rect {
    int row0, row1, col0, col1;  // latent rows [row0, row1), columns [col0, col1)
  };

 private:
  void synthesise_rects(const IntegerSynthesis& synthesis, CpuLevel cpu, const std::vector<int64_t>& y_hat_q10,
                        const LatentShape& s, int quality, int threads, const std::vector<Rect>& rects);
  std::vector<int64_t> previous_y_;
  std::shared_ptr<const IntegerSynthesis> previous_synthesis_;  // what made previous_ (null: the model's)
  Frame previous_;
  int previous_quality_ = 0;
  Stats stats_;
};

}  // namespace vaec::model
