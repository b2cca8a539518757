// Multi-scale structural similarity (Wang, Simoncelli, Bovik 2003) on one 8-bit plane.
#pragma once

#include <cstdint>

namespace vaec::metrics {

// Standard parameters: 11-tap Gaussian window (σ = 1.5), five scales with the paper's weights,
// 2×2 average pooling between scales. Planes too small for five scales use as many as fit
// (each scale at least 11 pixels on its short side), with the weights renormalised.
// Returns a value in [0, 1]; 1 means identical.
double ms_ssim(const uint8_t* reference, const uint8_t* distorted, int width, int height);

}  // namespace vaec::metrics
