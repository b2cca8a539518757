#include "metrics/ms_ssim.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace vaec::metrics {
namespace {

constexpr int kWindow = 11;
constexpr double kSigma = 1.5;
constexpr std::array<double, 5> kScaleWeights = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);

struct Plane {
  int width = 0, height = 0;
  std::vector<double> px;
  double at(int x, int y) const { return px[size_t(y) * width + x]; }
};

std::array<double, kWindow> gaussian_window() {
  std::array<double, kWindow> w{};
  double sum = 0;
  for (int i = 0; i < kWindow; ++i) {
    double d = i - kWindow / 2;
    w[i] = std::exp(-d * d / (2 * kSigma * kSigma));
    sum += w[i];
  }
  for (auto& v : w) v /= sum;
  return w;
}

// Separable Gaussian filter, "valid" region only (no padding), as in the reference code.
Plane blur(const Plane& in, const std::array<double, kWindow>& w) {
  Plane rows{in.width - kWindow + 1, in.height, {}};
  rows.px.resize(size_t(rows.width) * rows.height);
  for (int y = 0; y < in.height; ++y)
    for (int x = 0; x < rows.width; ++x) {
      double s = 0;
      for (int k = 0; k < kWindow; ++k) s += w[k] * in.at(x + k, y);
      rows.px[size_t(y) * rows.width + x] = s;
    }
  Plane out{rows.width, in.height - kWindow + 1, {}};
  out.px.resize(size_t(out.width) * out.height);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      double s = 0;
      for (int k = 0; k < kWindow; ++k) s += w[k] * rows.at(x, y + k);
      out.px[size_t(y) * out.width + x] = s;
    }
  return out;
}

Plane product(const Plane& a, const Plane& b) {
  Plane p{a.width, a.height, std::vector<double>(a.px.size())};
  for (size_t i = 0; i < p.px.size(); ++i) p.px[i] = a.px[i] * b.px[i];
  return p;
}

// Mean SSIM and mean contrast-structure term at one scale.
void ssim_terms(const Plane& a, const Plane& b, double& ssim, double& cs) {
  static const auto w = gaussian_window();
  Plane mu_a = blur(a, w), mu_b = blur(b, w);
  Plane aa = blur(product(a, a), w), bb = blur(product(b, b), w), ab = blur(product(a, b), w);
  double ssim_sum = 0, cs_sum = 0;
  for (size_t i = 0; i < mu_a.px.size(); ++i) {
    double ma = mu_a.px[i], mb = mu_b.px[i];
    double va = aa.px[i] - ma * ma, vb = bb.px[i] - mb * mb, cov = ab.px[i] - ma * mb;
    double c = (2 * cov + kC2) / (va + vb + kC2);
    cs_sum += c;
    ssim_sum += c * (2 * ma * mb + kC1) / (ma * ma + mb * mb + kC1);
  }
  ssim = ssim_sum / double(mu_a.px.size());
  cs = cs_sum / double(mu_a.px.size());
}

Plane halve(const Plane& in) {
  Plane out{in.width / 2, in.height / 2, {}};
  out.px.resize(size_t(out.width) * out.height);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x)
      out.px[size_t(y) * out.width + x] = 0.25 * (in.at(2 * x, 2 * y) + in.at(2 * x + 1, 2 * y) +
                                                  in.at(2 * x, 2 * y + 1) + in.at(2 * x + 1, 2 * y + 1));
  return out;
}

Plane to_plane(const uint8_t* px, int width, int height) {
  Plane p{width, height, std::vector<double>(px, px + size_t(width) * height)};
  return p;
}

}  // namespace

double ms_ssim(const uint8_t* reference, const uint8_t* distorted, int width, int height) {
  int scales = 0;
  for (int s = std::min(width, height); scales < int(kScaleWeights.size()) && s >= kWindow; s /= 2)
    ++scales;
  if (scales == 0) return 1.0;  // too small to measure structure: treat as no information
  double weight_sum = 0;
  for (int i = 0; i < scales; ++i) weight_sum += kScaleWeights[i];

  Plane a = to_plane(reference, width, height), b = to_plane(distorted, width, height);
  double result = 1.0;
  for (int i = 0; i < scales; ++i) {
    double ssim = 0, cs = 0;
    ssim_terms(a, b, ssim, cs);
    double term = (i == scales - 1) ? ssim : cs;
    result *= std::pow(std::max(term, 0.0), kScaleWeights[i] / weight_sum);
    if (i + 1 < scales) {
      a = halve(a);
      b = halve(b);
    }
  }
  return result;
}

}  // namespace vaec::metrics
