#include "compare/bd_rate.h"

#include <algorithm>
#include <cmath>

namespace vaec::compare {

std::vector<double> polyfit(const std::vector<double>& x, const std::vector<double>& y, int degree) {
  const int n = degree + 1;
  // Normal equations A·c = b, solved by Gaussian elimination with partial pivoting.
  // Centering x first keeps them well conditioned for PSNR values around 30-45.
  double mean = 0;
  for (double v : x) mean += v;
  mean /= double(x.size());
  std::vector<std::vector<double>> a(n, std::vector<double>(n + 1, 0.0));
  for (size_t k = 0; k < x.size(); ++k) {
    std::vector<double> powers(2 * n, 1.0);
    for (int i = 1; i < 2 * n; ++i) powers[i] = powers[i - 1] * (x[k] - mean);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) a[i][j] += powers[i + j];
      a[i][n] += powers[i] * y[k];
    }
  }
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int r = col + 1; r < n; ++r)
      if (std::fabs(a[r][col]) > std::fabs(a[pivot][col])) pivot = r;
    std::swap(a[col], a[pivot]);
    for (int r = 0; r < n; ++r) {
      if (r == col || a[col][col] == 0) continue;
      double f = a[r][col] / a[col][col];
      for (int c = col; c <= n; ++c) a[r][c] -= f * a[col][c];
    }
  }
  std::vector<double> centered(n);
  for (int i = 0; i < n; ++i) centered[i] = a[i][i] != 0 ? a[i][n] / a[i][i] : 0.0;
  // Expand Σ c_i (x - mean)^i back into powers of x.
  std::vector<double> coeffs(n, 0.0);
  for (int i = 0; i < n; ++i) {
    double binom = 1;  // C(i, j)
    for (int j = 0; j <= i; ++j) {
      coeffs[j] += centered[i] * binom * std::pow(-mean, i - j);
      binom = binom * (i - j) / (j + 1);
    }
  }
  return coeffs;
}

namespace {
// ∫ from lo to hi of the polynomial.
double integrate(const std::vector<double>& c, double lo, double hi) {
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i)
    sum += c[i] / double(i + 1) * (std::pow(hi, double(i + 1)) - std::pow(lo, double(i + 1)));
  return sum;
}
}  // namespace

std::optional<double> bd_rate(std::vector<RdPoint> anchor, std::vector<RdPoint> test) {
  if (anchor.size() < 4 || test.size() < 4) return std::nullopt;
  auto fit = [](const std::vector<RdPoint>& pts, double& lo, double& hi) {
    std::vector<double> psnr, log_rate;
    lo = 1e9;
    hi = -1e9;
    for (const auto& p : pts) {
      psnr.push_back(p.psnr);
      log_rate.push_back(std::log(p.rate));
      lo = std::min(lo, p.psnr);
      hi = std::max(hi, p.psnr);
    }
    return polyfit(psnr, log_rate, 3);
  };
  for (const auto& p : anchor)
    if (p.rate <= 0) return std::nullopt;
  for (const auto& p : test)
    if (p.rate <= 0) return std::nullopt;
  double alo, ahi, tlo, thi;
  auto ca = fit(anchor, alo, ahi);
  auto ct = fit(test, tlo, thi);
  double lo = std::max(alo, tlo), hi = std::min(ahi, thi);
  if (!(hi > lo)) return std::nullopt;
  double avg_diff = (integrate(ct, lo, hi) - integrate(ca, lo, hi)) / (hi - lo);
  return (std::exp(avg_diff) - 1.0) * 100.0;
}

}  // namespace vaec::compare
