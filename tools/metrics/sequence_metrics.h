// Per-frame and mean quality of one video against another.
#pragma once

#include <vector>

#include "metrics/psnr.h"

namespace vaec::metrics {

struct FrameQuality {
  PlanePsnr psnr;
  double ms_ssim_y = 0;
};

struct SequenceQuality {
  std::vector<FrameQuality> frames;
  // Means of the per-frame values (the way codec comparisons average PSNR).
  PlanePsnr mean_psnr() const;
  double mean_psnr_yuv() const;
  double mean_ms_ssim_y() const;
};

// Measures one frame pair. `with_ms_ssim` off saves most of the time when only PSNR is needed.
FrameQuality measure_frame(const Frame& reference, const Frame& distorted, bool with_ms_ssim = true);

}  // namespace vaec::metrics
