#include "coding/inter_context.h"

#include <algorithm>

#include "coding/reference.h"
#include "entropy/gaussian_tables.h"

namespace vaec::coding {
namespace {

constexpr int64_t kQ10 = 1024;
// Latents beyond this (in Q10) mean a corrupt stream; real ones stay far below 2^13.
constexpr int64_t kMaxLatentQ10 = int64_t(1) << 40;

// Channels that must change at a position for it to count as busy (level 2) rather than
// touched (level 1): a moving edge changes many channels, sensor noise a few.
constexpr int kBusyChannels = 4;

}  // namespace

std::vector<uint8_t> activity_from_residual(const int32_t* residual, int channels, int height, int width) {
  const size_t plane = size_t(height) * width;
  std::vector<int> changed(plane, 0);
  for (int c = 0; c < channels; ++c) {
    const int32_t* r = residual + c * plane;
    for (size_t i = 0; i < plane; ++i) changed[i] += r[i] != 0;
  }
  std::vector<uint8_t> activity(plane);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      int most = 0;
      for (int yy = std::max(0, y - 1); yy <= std::min(height - 1, y + 1); ++yy)
        for (int xx = std::max(0, x - 1); xx <= std::min(width - 1, x + 1); ++xx)
          most = std::max(most, changed[size_t(yy) * width + xx]);
      activity[size_t(y) * width + x] = most == 0 ? 0 : most < kBusyChannels ? 1 : 2;
    }
  return activity;
}

std::vector<uint8_t> context_classes(const int32_t* anchor_scale_index, const uint8_t* activity, int channels,
                                     int height, int width) {
  const size_t plane = size_t(height) * width;
  std::vector<uint8_t> classes(plane * channels);
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < plane; ++i) {
      const size_t e = c * plane + i;
      const int bucket = std::clamp(anchor_scale_index[e], 0, entropy::kNumGaussianScales - 1) / 4;
      classes[e] = uint8_t(std::min<int>(activity[i], kActivityLevels - 1) * kAnchorBuckets + bucket);
    }
  return classes;
}

std::vector<uint8_t> classes_of(const Reference& ref) {
  const model::LatentShape& s = ref.shape;
  return context_classes(ref.anchor_scale_index.data(), ref.activity.data(), s.channels, s.height, s.width);
}

std::vector<int32_t> table_indices(const std::vector<uint8_t>& classes, const ClassScales& scales) {
  std::vector<int32_t> idx(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) idx[i] = scales[classes[i]];
  return idx;
}

Status apply_residual(const InterResidual& residual, Reference* ref) {
  const model::LatentShape& s = ref->shape;
  if (residual.r.size() != ref->y_hat_q10.size()) return Status(StatusCode::kInvalidArgument, "residual size");
  for (size_t i = 0; i < residual.r.size(); ++i) {
    const int64_t v = ref->y_hat_q10[i] + int64_t(residual.r[i]) * kQ10;
    if (v > kMaxLatentQ10 || v < -kMaxLatentQ10) return Status(StatusCode::kCorruptData, "P-frame latent out of range");
    ref->y_hat_q10[i] = v;
  }
  ref->activity = activity_from_residual(residual.r.data(), s.channels, s.height, s.width);
  ref->class_scales = residual.scales;
  return OkStatus();
}

}  // namespace vaec::coding
