// The transform residual of motion P-frames (coding/transform_residual.h): the exact inverse
// transform, encoder and decoder agreeing on every sample, what the rate-distortion choice
// codes, and malformed payloads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "coding/dec_transform_residual.h"
#include "coding/enc_transform_residual.h"
#include "coding/transform_residual.h"
#include "support/test_support.h"

using namespace vaec;
using namespace vaec::coding;

namespace {

double mse(const Frame& a, const Frame& b) {
  double s = 0;
  size_t n = 0;
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < a.planes[p].size(); ++i, ++n) {
      const double d = double(a.planes[p][i]) - b.planes[p][i];
      s += d * d;
    }
  return s / double(n);
}

}  // namespace

TEST_CASE("Inverse transform: the normative integer rule", "[transform]") {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    int32_t d[64], r[64];
    for (int32_t& v : d) v = trial < 100 ? int32_t(rng() % 2001) - 1000 : int32_t(rng() % 65535) - 32767;
    inverse_transform(d, r);
    // Transcription of docs/bitstream.md §3.3 in 64-bit arithmetic.
    int64_t e[8][8];
    for (int y = 0; y < 8; ++y)
      for (int u = 0; u < 8; ++u) {
        int64_t s = 64;
        for (int v = 0; v < 8; ++v) s += int64_t(kDctMatrix[v][y]) * d[v * 8 + u];
        e[y][u] = std::clamp<int64_t>(s >> 7, -32768, 32767);
      }
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        int64_t s = 2048;
        for (int u = 0; u < 8; ++u) s += int64_t(kDctMatrix[u][x]) * e[y][u];
        REQUIRE(r[y * 8 + x] == int32_t(s >> 12));
      }
  }
  // D is 16 times the orthonormal coefficient: a DC of 16 * 8 * c is a flat residual c.
  for (int c : {-200, -7, 1, 5, 100}) {
    int32_t d[64] = {}, r[64];
    d[0] = 128 * c;
    inverse_transform(d, r);
    for (int32_t v : r) CHECK(v == c);
  }
  CHECK(transform_step(4) == 16);
  CHECK(transform_step(10) == 32);
  CHECK(transform_step(kMaxTransformQp) == 3648);  // 57 << 8 >> 2: 228 pixels
}

TEST_CASE("Transform residual: the decoder rebuilds the encoder's picture exactly", "[transform]") {
  for (auto [w, h] : {std::pair{64, 48}, std::pair{37, 23}, std::pair{1, 1}}) {
    const Frame prediction = test::make_frame(w, h, 1);
    const Frame original = test::add_noise(prediction, 12, 2);
    for (int qp : {4, 22, 40}) {
      const SampleLambdas lambdas{100.0, 100.0};  // a high price on error: every block pays, 1x1 too
      const TransformResidual coded = encode_transform_residual(original, prediction, qp, lambdas);
      Frame decoded;
      REQUIRE(decode_transform_residual(coded.bytes.data(), coded.bytes.size(), prediction, &decoded).ok());
      INFO(w << "x" << h << " qp " << qp);
      CHECK(decoded.planes == coded.picture.planes);
      if (qp == 4) CHECK(mse(coded.picture, original) < 0.2 * mse(prediction, original));
    }
  }
}

TEST_CASE("Transform residual: blocks are coded only where they pay", "[transform]") {
  const Frame prediction = test::make_frame(64, 64, 3);
  Frame original = prediction;
  // One 8x8 luma block differs strongly, the rest of the picture is the prediction.
  for (int y = 16; y < 24; ++y)
    for (int x = 24; x < 32; ++x) original.planes[0][size_t(y) * 64 + x] = uint8_t(255 - original.planes[0][size_t(y) * 64 + x]);
  const SampleLambdas lambdas{0.05, 0.05};
  const int qp = transform_qp(lambdas);
  const TransformResidual coded = encode_transform_residual(original, prediction, qp, lambdas);
  // Only that block changed; it is much closer to the original than the prediction was.
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      if (x < 24 || x >= 32 || y < 16 || y >= 24)
        REQUIRE(coded.picture.planes[0][size_t(y) * 64 + x] == prediction.planes[0][size_t(y) * 64 + x]);
  CHECK(mse(coded.picture, original) < 0.1 * mse(prediction, original));
  CHECK(coded.picture.planes[1] == prediction.planes[1]);
  // At a price of error near zero nothing pays: the picture is the prediction.
  const TransformResidual none = encode_transform_residual(original, prediction, 30, SampleLambdas{1e-9, 1e-9});
  CHECK(none.picture.planes == prediction.planes);
  // A coarser price gives a coarser quantizer.
  CHECK(transform_qp(SampleLambdas{0.001, 0.001}) > transform_qp(SampleLambdas{0.1, 0.1}));
}

TEST_CASE("Transform residual: optimised levels decode exactly and cost less at their price", "[transform]") {
  const Frame prediction = test::make_frame(128, 96, 5);
  const Frame original = test::add_noise(prediction, 6, 7);
  int lower = 0;
  for (double price : {0.05, 0.2, 1.0}) {
    const SampleLambdas lambdas{price, price};
    const int qp = transform_qp(lambdas);
    const TransformResidual plain = encode_transform_residual(original, prediction, qp, lambdas, false);
    const TransformResidual optimised = encode_transform_residual(original, prediction, qp, lambdas, true);
    Frame decoded;
    REQUIRE(decode_transform_residual(optimised.bytes.data(), optimised.bytes.size(), prediction, &decoded).ok());
    CHECK(decoded.planes == optimised.picture.planes);
    // Cost in bits: 8 per byte plus price x squared error over the picture's samples.
    const double samples = 128 * 96 * 1.5;
    auto cost = [&](const TransformResidual& r) { return 8.0 * r.bytes.size() + price * mse(r.picture, original) * samples; };
    INFO("price " << price << ": " << cost(plain) << " bits dead zone, " << cost(optimised) << " optimised");
    CHECK(cost(optimised) <= cost(plain) * 1.01);
    lower += cost(optimised) < cost(plain);
  }
  CHECK(lower >= 2);
}

TEST_CASE("Transform residual: malformed payloads give errors, never crashes", "[transform]") {
  const Frame prediction = test::make_frame(48, 32, 4);
  const Frame original = test::add_noise(prediction, 20, 5);
  const TransformResidual coded = encode_transform_residual(original, prediction, 20, SampleLambdas{1, 1});
  Frame out;
  for (size_t len = 0; len < coded.bytes.size(); ++len)
    CHECK_FALSE(decode_transform_residual(coded.bytes.data(), len, prediction, &out).ok());
  std::vector<uint8_t> bad = coded.bytes;
  bad[0] = kMaxTransformQp + 1;
  CHECK(decode_transform_residual(bad.data(), bad.size(), prediction, &out).code() == StatusCode::kCorruptData);
  bad = coded.bytes;
  bad.push_back(0);
  CHECK_FALSE(decode_transform_residual(bad.data(), bad.size(), prediction, &out).ok());
  std::mt19937 rng(6);
  int detected = 0;
  for (size_t i = 1; i < coded.bytes.size(); ++i) {
    bad = coded.bytes;
    bad[i] ^= uint8_t(1 + rng() % 255);
    Frame decoded;
    const Status st = decode_transform_residual(bad.data(), bad.size(), prediction, &decoded);
    detected += !st.ok() || decoded.planes != coded.picture.planes;
  }
  CHECK(detected == int(coded.bytes.size()) - 1);
}
