// The refinement layer (api/refinement.h) and the quality map that turns it on
// (api/quality_map.h): exact decoding, bounded error, rate against step, odd sizes and damaged
// streams.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "coding/quality_map.h"
#include "coding/dec_refinement.h"
#include "coding/enc_refinement.h"
#include "metrics/psnr.h"
#include "support/test_support.h"

using namespace vaec;
using namespace vaec::coding;

namespace {

// Busyness for a frame, as the codec makes it: latents at 1/16 of the frame padded to 64.
RefinementContext context_for(const Frame& f, uint32_t seed) {
  const int channels = 3, height = (f.height + 63) / 64 * 4, width = (f.width + 63) / 64 * 4;
  std::mt19937 rng(seed);
  std::vector<int32_t> anchor(size_t(channels) * height * width);
  for (auto& a : anchor) a = int32_t(rng() % 64);
  RefinementContext ctx;
  ctx.busyness = latent_busyness(anchor.data(), channels, height, width);
  return ctx;
}

// A "synthesis": the frame blurred horizontally and with its own noise, as a model's picture
// differs from its input.
Frame blurred(const Frame& f, uint32_t seed) {
  Frame out = test::add_noise(f, 6, seed);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = 1; x < f.plane_width(p); ++x) {
        uint8_t& s = out.planes[p][size_t(y) * f.plane_width(p) + x];
        s = uint8_t((s + out.planes[p][size_t(y) * f.plane_width(p) + x - 1] + 1) / 2);
      }
  return out;
}

int max_abs_error(const Frame& a, const Frame& b, int plane) {
  int m = 0;
  for (size_t i = 0; i < a.planes[plane].size(); ++i)
    m = std::max(m, std::abs(int(a.planes[plane][i]) - int(b.planes[plane][i])));
  return m;
}


}  // namespace

TEST_CASE("refinement: the decoder rebuilds the encoder's picture; error within the step; finer costs more",
          "[refinement]") {
  const Frame original = test::make_frame(96, 80, 3);
  const Frame base = blurred(original, 5);
  const RefinementContext busy = context_for(original, 1);
  size_t previous_bytes = 0;
  double previous_mse = metrics::weighted_mse_yuv(original, base);
  for (int step_q4 : {1024, 320, 160, 80, 16}) {
    CAPTURE(step_q4);
    Frame encoded = base, decoded = base;
    RefinementOffsets offsets;
    const std::vector<uint8_t> bytes = encode_refinement(original, step_q4, busy, &encoded, &offsets);
    REQUIRE(decode_refinement(bytes.data(), bytes.size(), busy, &decoded, &offsets).ok());
    for (int p = 0; p < 3; ++p) CHECK(decoded.planes[p] == encoded.planes[p]);
    // Rounding with a small dead zone: within (0.5 + dead zone) steps, plus the step's rounding.
    CHECK(max_abs_error(original, decoded, 0) <= int(std::ceil(0.62 * step_q4 / 16.0)) + 1);
    CHECK(max_abs_error(original, decoded, 1) <= int(std::ceil(0.62 * chroma_refinement_step_q4(step_q4) / 16.0)) + 1);
    const double mse = metrics::weighted_mse_yuv(original, decoded);
    CHECK(mse < previous_mse);
    CHECK(bytes.size() > previous_bytes);
    previous_mse = mse;
    previous_bytes = bytes.size();
    if (step_q4 == 16) CHECK(max_abs_error(original, decoded, 0) == 0);  // a 1-pixel luma step is lossless
  }
}

TEST_CASE("refinement: odd and tiny frame sizes round-trip", "[refinement]") {
  for (auto [w, h] : {std::pair{1, 1}, {2, 1}, {1, 3}, {17, 9}, {65, 3}}) {
    CAPTURE(w, h);
    const Frame original = test::make_frame(w, h, 1);
    const Frame base = test::add_noise(original, 20, 9);
    const RefinementContext busy = context_for(original, 2);
    Frame encoded = base, decoded = base;
    RefinementOffsets offsets;
    const std::vector<uint8_t> bytes = encode_refinement(original, 40, busy, &encoded, &offsets);
    REQUIRE(decode_refinement(bytes.data(), bytes.size(), busy, &decoded, &offsets).ok());
    for (int p = 0; p < 3; ++p) CHECK(decoded.planes[p] == encoded.planes[p]);
  }
}

TEST_CASE("refinement: damaged bytes give an error status, never a crash", "[refinement][errors]") {
  const Frame original = test::make_frame(64, 48, 2);
  const Frame base = blurred(original, 3);
  const RefinementContext busy = context_for(original, 3);
  Frame encoded = base;
  RefinementOffsets offsets;
  const std::vector<uint8_t> bytes = encode_refinement(original, 64, busy, &encoded, &offsets);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Frame picture = base;
    CHECK_FALSE(decode_refinement(bytes.data(), cut, busy, &picture, &offsets).ok());
  }
  std::vector<uint8_t> extra = bytes;
  extra.push_back(0);
  Frame picture = base;
  CHECK_FALSE(decode_refinement(extra.data(), extra.size(), busy, &picture, &offsets).ok());
  // A step outside the allowed range.
  std::vector<uint8_t> bad_step = bytes;
  bad_step[1] = 0;
  bad_step[2] = 0;
  CHECK(decode_refinement(bad_step.data(), bad_step.size(), busy, &picture, &offsets).code() == StatusCode::kCorruptData);
  // An unknown mode, and carrying offsets on a frame with no previous ones (an I-frame).
  std::vector<uint8_t> bad_mode = bytes;
  bad_mode[0] = 2;
  CHECK(decode_refinement(bad_mode.data(), bad_mode.size(), busy, &picture, &offsets).code() == StatusCode::kCorruptData);
  bad_mode[0] = 1;
  CHECK(decode_refinement(bad_mode.data(), bad_mode.size(), busy, &picture, &offsets).code() == StatusCode::kCorruptData);
  // Flipped bits: decoded as something or refused, never out of bounds (ASan checks this).
  for (size_t i = 2; i < bytes.size(); i += 7) {
    std::vector<uint8_t> flipped = bytes;
    flipped[i] ^= 0x5a;
    picture = base;
    (void)decode_refinement(flipped.data(), flipped.size(), busy, &picture, &offsets);
  }
}

TEST_CASE("quality map: monotonic, model alone up to 50, a 5-pixel step at 100", "[refinement]") {
  CodingPoint previous = coding_point(1);
  CHECK(previous.model_quality == 1);
  for (int q = 2; q <= 100; ++q) {
    CAPTURE(q);
    const CodingPoint p = coding_point(q);
    CHECK(p.model_quality >= previous.model_quality);
    CHECK(p.model_quality <= 100);
    CHECK(p.refined() == (q > 50));
    if (q <= 50) CHECK(p.model_quality == q);
    if (previous.refined() && p.refined()) CHECK(p.refinement_step_q4 <= previous.refinement_step_q4);
    CHECK(p.refinement_step_q4 <= kMaxRefinementStepQ4);
    previous = p;
  }
  CHECK(coding_point(100).refinement_step_q4 == 80);
  CHECK(coding_point(51).refinement_step_q4 > 8 * coding_point(100).refinement_step_q4);
}

TEST_CASE("refinement: a P-frame carries the previous offsets where the latents held still", "[refinement]") {
  // A static scene: the same synthesis twice, fresh noise in the second original.
  const Frame scene = test::make_frame(96, 64, 4);
  const Frame base = blurred(scene, 7);
  const Frame first = test::add_noise(scene, 1, 21), second = test::add_noise(scene, 1, 22);
  RefinementContext intra = context_for(scene, 5);
  Frame picture = base;
  RefinementOffsets offsets;
  const std::vector<uint8_t> first_bytes = encode_refinement(first, 48, intra, &picture, &offsets);
  REQUIRE(offsets[0].size() == first.planes[0].size());

  RefinementContext inter = intra;
  inter.previous = &offsets;
  std::vector<uint8_t> still(intra.busyness.mean_index.size(), 0), moving(still.size(), 2);
  for (bool held_still : {true, false}) {
    CAPTURE(held_still);
    inter.activity = held_still ? still.data() : moving.data();
    Frame encoded = base, decoded = base;
    RefinementOffsets enc_offsets, dec_offsets;
    const std::vector<uint8_t> bytes = encode_refinement(second, 48, inter, &encoded, &enc_offsets);
    REQUIRE(decode_refinement(bytes.data(), bytes.size(), inter, &decoded, &dec_offsets).ok());
    for (int p = 0; p < 3; ++p) CHECK(decoded.planes[p] == encoded.planes[p]);
    CHECK(dec_offsets == enc_offsets);
    CHECK(max_abs_error(second, decoded, 0) <= 3 + 2);  // within the step (3 px) and the noise
    if (held_still)
      CHECK(bytes.size() * 2 < first_bytes.size());  // only the noise's change is coded
    else
      CHECK(bytes.size() + 16 > first_bytes.size());  // nothing carried: as costly as the first
  }
}
