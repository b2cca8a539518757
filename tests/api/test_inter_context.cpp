// The P-frame entropy model's integer parts: context classes, activity, class-scale fitting
// and their wire format.
#include <vector>

#include "coding/inter_context.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;
using namespace vaec::coding;

TEST_CASE("class scales round-trip as deltas, and out-of-range scales are corrupt data", "[inter]") {
  entropy::CdfTableSet tables;
  REQUIRE(entropy::build_gaussian_tables(&tables).ok());
  ClassScales previous, scales;
  for (int i = 0; i < kInterClasses; ++i) {
    previous[size_t(i)] = uint8_t(i % 64);
    scales[size_t(i)] = uint8_t((i * 37 + 5) % 64);  // far from previous too: escapes
  }
  std::vector<uint8_t> stream;
  encode_class_scales(tables, scales, previous, &stream);
  ClassScales back{};
  REQUIRE(decode_class_scales(tables, stream.data(), stream.size(), previous, &back).ok());
  CHECK(back == scales);

  std::vector<uint8_t> same;  // unchanged scales cost little: 48 near-certain zeros
  encode_class_scales(tables, scales, scales, &same);
  CHECK(same.size() < 16);

  ClassScales high;
  high.fill(63);
  encode_class_scales(tables, high, ClassScales{}, &stream);
  ClassScales shifted;
  shifted.fill(1);  // the same deltas on top of 1: 64, out of range
  CHECK(decode_class_scales(tables, stream.data(), stream.size(), shifted, &back).code() == StatusCode::kCorruptData);
}

TEST_CASE("activity marks the 3x3 neighbourhood of changed latents, busy where many channels changed", "[inter]") {
  const int C = 5, H = 4, W = 6;
  std::vector<int32_t> r(size_t(C) * H * W, 0);
  r[0 * H * W + 1 * W + 1] = 1;                                 // one channel at (1,1)
  for (int c = 0; c < C; ++c) r[size_t(c) * H * W + 3 * W + 5] = -2;  // all channels at (3,5)
  const std::vector<uint8_t> a = activity_from_residual(r.data(), C, H, W);
  CHECK(a[0 * W + 0] == 1);
  CHECK(a[2 * W + 2] == 1);
  CHECK(a[0 * W + 3] == 0);
  CHECK(a[2 * W + 4] == 2);
  CHECK(a[3 * W + 5] == 2);
  CHECK(a[0 * W + 5] == 0);

  const std::vector<int32_t> anchor(r.size(), 13);  // bucket 3
  const std::vector<uint8_t> classes = context_classes(anchor.data(), a.data(), C, H, W);
  CHECK(classes[0] == 1 * kAnchorBuckets + 3);
  CHECK(classes[2 * W + 4] == 2 * kAnchorBuckets + 3);
  CHECK(classes[0 * W + 3] == 3);
}

TEST_CASE("fitted class scales follow each class's spread and beat every fixed choice", "[inter]") {
  entropy::CdfTableSet tables;
  REQUIRE(entropy::build_gaussian_tables(&tables).ok());
  std::vector<int32_t> r;
  std::vector<uint8_t> classes;
  uint32_t state = 7;
  for (int i = 0; i < 4000; ++i) {  // class 0: all zero; class 1: small; class 2: wide
    state = state * 1664525u + 1013904223u;
    const int u = int(state >> 24) - 128;  // -128..127
    classes.push_back(uint8_t(i % 3));
    r.push_back(i % 3 == 0 ? 0 : i % 3 == 1 ? (u > 100) - (u < -100) : u / 2);
  }
  ClassScales previous;
  previous.fill(7);
  const ClassScales fit = fit_class_scales(tables, r.data(), classes.data(), r.size(), previous);
  CHECK(fit[0] == 0);
  CHECK(fit[0] < fit[1]);
  CHECK(fit[1] < fit[2]);
  CHECK(fit[5] == 7);  // empty class: kept
  // Class 3 has three elements: a neighbouring scale costs a bit or so more, so the previous
  // frame's is kept; class 2's thousand elements make a far-off previous scale too costly.
  for (int v : {1, 0, -1}) {
    r.push_back(v);
    classes.push_back(3);
  }
  const ClassScales with3 = fit_class_scales(tables, r.data(), classes.data(), r.size(), previous);
  ClassScales near = with3;
  near[3] = uint8_t(with3[3] + 1);
  near[2] = 63;
  const ClassScales refit = fit_class_scales(tables, r.data(), classes.data(), r.size(), near);
  CHECK(refit[3] == with3[3] + 1);
  CHECK(refit[2] == with3[2]);

  auto coded_size = [&](const ClassScales& s) {
    std::vector<int32_t> idx(r.size());
    for (size_t i = 0; i < r.size(); ++i) idx[i] = s[classes[i]];
    std::vector<uint8_t> out;
    REQUIRE(entropy::enc_rans(tables, r.data(), idx.data(), r.size(), &out).ok());
    return out.size();
  };
  const size_t best = coded_size(fit);
  for (int t = 0; t < entropy::kNumGaussianScales; t += 9) {
    ClassScales fixed;
    fixed.fill(uint8_t(t));
    CHECK(best < coded_size(fixed));
  }
}
