// Peak signal-to-noise ratio of 8-bit YUV 4:2:0 frames.
#pragma once

#include <cstdint>
#include <cstddef>

#include "common/frame.h"

namespace vaec::metrics {

// PSNR of identical planes is infinite; like x264 we report this cap instead.
constexpr double kMaxPsnr = 100.0;

double mse(const uint8_t* a, const uint8_t* b, size_t count);
double psnr_from_mse(double mse);  // peak 255, capped at kMaxPsnr

struct PlanePsnr {
  double y = 0, u = 0, v = 0;
  // The weighted PSNR video coding reports use: (6·Y + U + V) / 8.
  double yuv() const { return (6.0 * y + u + v) / 8.0; }
};

// Frames must have the same size (the caller checks and reports).
PlanePsnr frame_psnr(const Frame& reference, const Frame& distorted);

// (6·MSE_Y + MSE_U + MSE_V) / 8: the distortion the model is trained on. Its PSNR is the
// "PSNR-YUV" of model_rd and of the trainer's validation (the mean of the per-plane MSEs, not
// of their PSNRs as PlanePsnr::yuv()).
double weighted_mse_yuv(const Frame& reference, const Frame& distorted);

}  // namespace vaec::metrics
