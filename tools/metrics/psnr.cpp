#include "metrics/psnr.h"

#include <algorithm>
#include <cmath>

namespace vaec::metrics {

double mse(const uint8_t* a, const uint8_t* b, size_t count) {
  if (count == 0) return 0.0;
  uint64_t sum = 0;  // exact: 255² · 2^40 pixels would be needed to overflow
  for (size_t i = 0; i < count; ++i) {
    int d = int(a[i]) - int(b[i]);
    sum += uint64_t(d * d);
  }
  return double(sum) / double(count);
}

double psnr_from_mse(double m) {
  if (m <= 0.0) return kMaxPsnr;
  return std::min(kMaxPsnr, 10.0 * std::log10(255.0 * 255.0 / m));
}

PlanePsnr frame_psnr(const Frame& reference, const Frame& distorted) {
  double p[3];
  for (int plane = 0; plane < 3; ++plane)
    p[plane] = psnr_from_mse(mse(reference.planes[plane].data(), distorted.planes[plane].data(),
                                 reference.plane_size(plane)));
  return PlanePsnr{p[0], p[1], p[2]};
}

double weighted_mse_yuv(const Frame& reference, const Frame& distorted) {
  double m[3];
  for (int plane = 0; plane < 3; ++plane)
    m[plane] = mse(reference.planes[plane].data(), distorted.planes[plane].data(), reference.plane_size(plane));
  return (6 * m[0] + m[1] + m[2]) / 8;
}

}  // namespace vaec::metrics
