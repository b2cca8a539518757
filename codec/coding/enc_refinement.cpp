#include "coding/enc_refinement.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "bitstream/substreams.h"
#include "coding/payload_common.h"
#include "coding/refinement_levels.h"
#include "entropy/byte_io.h"

namespace vaec::coding {
using namespace refinement_detail;

namespace {

// Residuals within 0.5 + kDeadzone steps of a level are coded as the level below: cheaper,
// and costs little distortion (a Laplacian residual is denser towards zero).
constexpr double kDeadzone = 0.12;

// PSNR-YUV's distortion up to a constant: (6 MSE_Y + MSE_U + MSE_V) / 8 weighs a luma sample
// 6 and a chroma sample 4 (a quarter as many).
double weighted_sse(const Frame& a, const Frame& b) {
  double sse[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < a.planes[p].size(); ++i) {
      const double d = double(a.planes[p][i]) - double(b.planes[p][i]);
      sse[p] += d * d;
    }
  return 6 * sse[0] + 4 * (sse[1] + sse[2]);
}

}  // namespace

std::vector<uint8_t> encode_refinement(const Frame& original, int step_q4, const RefinementContext& ctx,
                                       Frame* picture, RefinementOffsets* offsets) {
  if (step_q4 < kMinRefinementStepQ4 || step_q4 > kMaxRefinementStepQ4)
    throw std::invalid_argument("refinement: step out of range");
  if (!original.same_size(*picture)) throw std::invalid_argument("refinement: picture size differs");
  check_context(ctx, original);
  const Mode mode = has_offsets(ctx.previous) ? kCarryMode : kIntraMode;
  const Carry carry(ctx, mode == kCarryMode);

  Levels levels(original);
  for (int p = 0; p < 3; ++p) {
    const int step = plane_step(p, step_q4), w = levels.width[size_t(p)];
    for (int y = 0; y < levels.height[size_t(p)]; ++y) {
      const uint8_t* activity = carry.activity_row(p, y);
      const int16_t* previous = carry.previous_row(p, y, w);
      for (int x = 0; x < w; ++x) {
        const size_t i = size_t(y) * w + x;
        const int carried = carry.carried(activity, previous, p, x);
        const int r = int(original.planes[p][i]) - int(picture->planes[p][i]) - carried;
        const int32_t m = int32_t(std::max(0.0, std::floor(std::abs(r) * 16.0 / step + 0.5 - kDeadzone)));
        levels.q[size_t(p)][i] = r < 0 ? -m : m;
      }
    }
  }
  apply_levels(levels, carry, step_q4, picture, offsets);

  std::vector<int32_t> values[2] = {pass_values(levels, 0), pass_values(levels, 1)};
  std::vector<uint8_t> classes[2] = {pass_classes(carry, levels, 0), pass_classes(carry, levels, 1)};
  // One fit over both passes: their classes are disjoint.
  std::vector<int32_t> all_values = values[0];
  all_values.insert(all_values.end(), values[1].begin(), values[1].end());
  std::vector<uint8_t> all_classes = classes[0];
  all_classes.insert(all_classes.end(), classes[1].begin(), classes[1].end());
  RefinementScales defaults;
  defaults.fill(kDefaultScale);
  const RefinementScales scales =
      fit_class_scales(gaussian_tables(), all_values.data(), all_classes.data(), all_values.size(), defaults);

  std::vector<uint8_t> out(3);
  out[0] = mode;
  store_le16(out.data() + 1, uint16_t(step_q4));
  std::vector<uint8_t> scale_stream;
  encode_class_scales(gaussian_tables(), scales, defaults, &scale_stream);
  bitstream::append_substream(scale_stream.data(), scale_stream.size(), &out);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<int32_t> idx(classes[pass].size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = scales[classes[pass][i]];
    append_rans(gaussian_tables(), values[pass], idx, &out);
  }
  return out;
}

// The price of a bit is the high-rate slope of a uniform quantizer of the luma step:
// dD/dR = 2 ln2 * 6 * step^2 / 12 in weighted_sse units.
void append_refinement(const Frame& original, int step_q4, bool inter, Reference* ref, Frame* picture,
                       std::vector<uint8_t>* payload) {
  Frame refined = *picture;
  RefinementOffsets offsets;
  const std::vector<uint8_t> bytes =
      encode_refinement(original, step_q4, refinement_context(*ref, inter), &refined, &offsets);
  const double step = step_q4 / 16.0, lambda = std::log(2.0) * step * step;
  const double gain = weighted_sse(original, *picture) - weighted_sse(original, refined);
  if (gain <= lambda * 8.0 * double(bytes.size() + 1)) {
    ref->refinement_offsets = RefinementOffsets{};
    return;
  }
  bitstream::append_substream(bytes.data(), bytes.size(), payload);
  *picture = std::move(refined);
  ref->refinement_offsets = std::move(offsets);
}

}  // namespace vaec::coding
