// Bjøntegaard delta rate (VCEG-M33): the average bitrate difference between two RD curves at
// equal quality, from cubic fits of log-rate against PSNR over the overlapping PSNR range.
#pragma once

#include <optional>
#include <vector>

namespace vaec::compare {

struct RdPoint {
  double rate = 0;  // any positive rate unit (kbps, bpp), the same for both curves
  double psnr = 0;  // dB
};

// Percent rate change of `test` against `anchor` (negative: test needs fewer bits).
// Empty when either curve has fewer than 4 points or the PSNR ranges do not overlap.
std::optional<double> bd_rate(std::vector<RdPoint> anchor, std::vector<RdPoint> test);

// Least-squares polynomial fit y ≈ Σ c[i]·x^i of the given degree (exposed for testing).
std::vector<double> polyfit(const std::vector<double>& x, const std::vector<double>& y, int degree);

}  // namespace vaec::compare
