// The Gaussian scale table, the integer scale -> table selection, and the tables' contents.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "entropy/gaussian_tables.h"

using namespace vaec;
using namespace vaec::entropy;

TEST_CASE("Gaussian scales are the documented log-spaced 0.11..256", "[gaussian]") {
  const double lo = std::log(0.11), hi = std::log(256.0);
  for (int i = 0; i < kNumGaussianScales; ++i) {
    const double expect = std::exp(lo + i * (hi - lo) / (kNumGaussianScales - 1)) * 65536.0;
    CHECK(std::abs(kGaussianScalesQ16[i] - expect) <= 0.5 + 1e-6 * expect);
    CHECK(gaussian_scale(i) == kGaussianScalesQ16[i] / 65536.0);
    if (i > 0) CHECK(kGaussianScalesQ16[i] > kGaussianScalesQ16[i - 1]);
  }
}

TEST_CASE("scale index is the smallest table scale >= sigma, clamped", "[gaussian]") {
  CHECK(gaussian_scale_index(std::numeric_limits<int32_t>::min()) == 0);
  CHECK(gaussian_scale_index(0) == 0);
  CHECK(gaussian_scale_index(kGaussianScalesQ16[0]) == 0);
  CHECK(gaussian_scale_index(std::numeric_limits<int32_t>::max()) == kNumGaussianScales - 1);
  for (int i = 1; i < kNumGaussianScales; ++i) {
    CHECK(gaussian_scale_index(kGaussianScalesQ16[i]) == i);
    CHECK(gaussian_scale_index(kGaussianScalesQ16[i - 1] + 1) == i);
    CHECK(gaussian_scale_index(kGaussianScalesQ16[i - 1]) == i - 1);
  }
  // Everywhere in between too: the smallest table scale >= the value.
  for (int64_t v = -3; v <= int64_t(kGaussianScalesQ16[kNumGaussianScales - 1]) + 5; v += 7) {
    const int32_t* end = kGaussianScalesQ16 + kNumGaussianScales;
    const int64_t want = std::min<int64_t>(std::lower_bound(kGaussianScalesQ16, end, int32_t(v)) - kGaussianScalesQ16,
                                           kNumGaussianScales - 1);
    if (gaussian_scale_index(int32_t(v)) != want) FAIL("scale " << v);
  }
  const int32_t q[] = {0, 65536, 65536 * 300};
  int32_t idx[3];
  gaussian_scale_indices(q, idx, 3);
  CHECK(idx[0] == 0);
  CHECK(gaussian_scale(idx[1]) >= 1.0);
  CHECK(gaussian_scale(idx[1] - 1) < 1.0);
  CHECK(idx[2] == kNumGaussianScales - 1);
}

TEST_CASE("deterministic normal CDF matches libm", "[gaussian]") {
  for (double x = -38.0; x <= 38.0; x += 0.0137) {
    const double ref = 0.5 * std::erfc(-x / std::sqrt(2.0));
    INFO("x = " << x);
    CHECK(std::abs(deterministic_normal_cdf(x) - ref) < 1e-14);
    if (x < -1.0) CHECK(std::abs(deterministic_normal_cdf(x) - ref) <= 1e-9 * ref);
  }
}

TEST_CASE("Gaussian tables are (almost) symmetric, sized by the radius, and pinned", "[gaussian]") {
  CdfTableSet set;
  REQUIRE(build_gaussian_tables(&set).ok());
  REQUIRE(set.size() == size_t(kNumGaussianScales));
  for (int i = 0; i < kNumGaussianScales; ++i) {
    const CdfTable& t = set.table(size_t(i));
    const int r = gaussian_table_radius(i);
    CHECK(r >= kGaussianTailSigmas * gaussian_scale(i));
    REQUIRE(t.num_values() == 2 * r + 1);
    CHECK(t.offset == -r);
    for (int v = 0; v < r; ++v) CHECK(std::abs(t.freq[size_t(v)] - t.freq[size_t(2 * r - v)]) <= 1);
    // Unimodal around zero (up to rounding ties).
    for (int v = 0; v < r; ++v) CHECK(t.freq[size_t(v)] <= t.freq[size_t(v + 1)] + 1);
  }
  // Any change to these tables breaks every existing bitstream: bump the bitstream version.
  CHECK(set.fingerprint() == 0x5cb736c3f6769ef3ull);
}
