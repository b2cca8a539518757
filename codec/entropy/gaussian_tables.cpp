#include "entropy/gaussian_tables.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace vaec::entropy {

const int32_t kGaussianScalesQ16[kNumGaussianScales] = {
    7209,     8153,     9221,     10428,    11793,    13338,    15084,    17060,
    19293,    21820,    24677,    27908,    31563,    35696,    40370,    45657,
    51635,    58397,    66043,    74691,    84472,    95533,    108043,   122191,
    138191,   156287,   176752,   199897,   226073,   255677,   289157,   327021,
    369843,   418272,   473044,   534987,   605042,   684270,   773872,   875208,
    989814,   1119426,  1266011,  1431791,  1619278,  1831317,  2071121,  2342327,
    2649047,  2995930,  3388236,  3831913,  4333688,  4901169,  5542960,  6268790,
    7089666,  8018032,  9067964,  10255381, 11598287, 13117040, 14834670, 16777216,
};

namespace {

// exp(x) from IEEE basic operations only (libm's exp may differ between versions by an ulp,
// which could change a quantized frequency and desynchronize decoders). Cody-Waite reduction
// by ln 2, then a degree-13 Taylor polynomial on |r| <= 0.35 (error < 1e-17 relative).
double deterministic_exp(double x) {
  if (x < -745.0) return 0.0;
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // low bits zero: k*kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double poly = 1.0;
  for (int n = 13; n >= 1; --n) poly = 1.0 + poly * r / double(n);
  return std::ldexp(poly, int(k));
}

// erfc(z) for z >= 0, absolute error < 1e-15.
double deterministic_erfc(double z) {
  constexpr double kInvSqrtPi = 0.56418958354775628695;
  if (z > 27.0) return 0.0;
  const double e = deterministic_exp(-z * z);
  if (z < 2.5) {
    // erf(z) = 2/sqrt(pi) e^{-z^2} sum_n (2z^2)^n z / (2n+1)!!: positive terms, no cancellation.
    double term = z, sum = z;
    for (int n = 1; n < 200 && term > 1e-17 * sum; ++n) {
      term = term * (2.0 * z * z) / double(2 * n + 1);
      sum += term;
    }
    return 1.0 - 2.0 * kInvSqrtPi * e * sum;
  }
  // Continued fraction erfc(z) = e^{-z^2}/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
  // evaluated from a fixed depth; converged to double precision for z >= 2.5.
  double t = z;
  for (int k = 120; k >= 1; --k) t = z + (0.5 * double(k)) / t;
  return kInvSqrtPi * e / t;
}

}  // namespace

double deterministic_normal_cdf(double x) {
  constexpr double kInvSqrt2 = 0.70710678118654752440;
  if (x <= 0.0) return 0.5 * deterministic_erfc(-x * kInvSqrt2);
  return 1.0 - 0.5 * deterministic_erfc(x * kInvSqrt2);
}

double gaussian_scale(int i) {
  i = std::clamp(i, 0, kNumGaussianScales - 1);
  return double(kGaussianScalesQ16[i]) / 65536.0;
}

int gaussian_scale_index(int32_t scale_q16) {
  // std::lower_bound without branches (conditional moves): the scales of neighbouring latents
  // are unrelated, so a branchy search mispredicts about every other step, and I-frames look
  // up every latent (~460k at 720p).
  const int32_t* base = kGaussianScalesQ16;
  for (int n = kNumGaussianScales; n > 1; n -= n / 2) base = base[n / 2] < scale_q16 ? base + n / 2 : base;
  const int index = int(base - kGaussianScalesQ16) + (*base < scale_q16);
  return std::min(index, kNumGaussianScales - 1);
}

void gaussian_scale_indices(const int32_t* scale_q16, int32_t* index, size_t n) {
  for (size_t i = 0; i < n; ++i) index[i] = gaussian_scale_index(scale_q16[i]);
}

int gaussian_table_radius(int i) {
  i = std::clamp(i, 0, kNumGaussianScales - 1);
  const int64_t r = (int64_t(kGaussianTailSigmas) * kGaussianScalesQ16[i] + 65535) >> 16;
  return int(std::max<int64_t>(1, r));
}

Status build_gaussian_tables(CdfTableSet* out) {
  std::vector<CdfTable> tables(kNumGaussianScales);
  for (int i = 0; i < kNumGaussianScales; ++i) {
    const double sigma = gaussian_scale(i);
    const int radius = gaussian_table_radius(i);
    // pmf(v) = Phi((v+1/2)/sigma) - Phi((v-1/2)/sigma), computed on v <= 0 from lower-tail
    // CDF values (accurate even when tiny) and mirrored, so the table is exactly symmetric.
    std::vector<double> pmf(2 * size_t(radius) + 1);
    for (int v = -radius; v <= 0; ++v) {
      const double upper = v == 0 ? 1.0 - deterministic_normal_cdf(-0.5 / sigma)
                                  : deterministic_normal_cdf((double(v) + 0.5) / sigma);
      const double p = upper - deterministic_normal_cdf((double(v) - 0.5) / sigma);
      pmf[size_t(v + radius)] = p;
      pmf[size_t(radius - v)] = p;
    }
    VAEC_RETURN_IF_ERROR(CdfTable::from_pmf(pmf, -radius, &tables[size_t(i)]));
  }
  return CdfTableSet::create(std::move(tables), out);
}

}  // namespace vaec::entropy
