#include "api/inter_context.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <stdexcept>
#include <string>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::api {
namespace {

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

ClassScales fit_class_scales(const entropy::CdfTableSet& tables, const int32_t* residual, const uint8_t* classes,
                             size_t n, const ClassScales& previous) {
  // Histogram per class over [-kSpan, kSpan]; rarer, larger values are kept one by one.
  constexpr int kSpan = 512;
  std::vector<uint32_t> hist(size_t(kInterClasses) * (2 * kSpan + 1), 0);
  std::vector<std::vector<int32_t>> outliers(kInterClasses);
  for (size_t i = 0; i < n; ++i) {
    const int32_t v = residual[i];
    if (v >= -kSpan && v <= kSpan)
      ++hist[size_t(classes[i]) * (2 * kSpan + 1) + size_t(v + kSpan)];
    else
      outliers[classes[i]].push_back(v);
  }
  ClassScales best = previous;
  std::vector<std::pair<int32_t, uint32_t>> used;  // (value, count) of one class
  for (int c = 0; c < kInterClasses; ++c) {
    used.clear();
    const uint32_t* h = &hist[size_t(c) * (2 * kSpan + 1)];
    for (int v = -kSpan; v <= kSpan; ++v)
      if (h[v + kSpan]) used.emplace_back(v, h[v + kSpan]);
    for (int32_t v : outliers[c]) used.emplace_back(v, 1);
    if (used.empty()) continue;
    double best_bits = std::numeric_limits<double>::infinity(), previous_bits = best_bits;
    for (int t = 0; t < entropy::kNumGaussianScales && size_t(t) < tables.size(); ++t) {
      double bits = 0;
      for (const auto& [v, count] : used) bits += count * tables.table(size_t(t)).code_length(v);
      if (t == previous[size_t(c)]) previous_bits = bits;
      if (bits < best_bits) {
        best_bits = bits;
        best[size_t(c)] = uint8_t(t);
      }
    }
    if (previous_bits <= best_bits + kKeepScaleBits) best[size_t(c)] = previous[size_t(c)];
  }
  return best;
}

void encode_class_scales(const entropy::CdfTableSet& tables, const ClassScales& scales, const ClassScales& previous,
                         std::vector<uint8_t>* stream) {
  std::vector<int32_t> deltas(kInterClasses);
  for (int c = 0; c < kInterClasses; ++c) deltas[size_t(c)] = int32_t(scales[size_t(c)]) - previous[size_t(c)];
  const std::vector<int32_t> idx(kInterClasses, kScaleDeltaTable);
  Status st = entropy::enc_rans(tables, deltas.data(), idx.data(), deltas.size(), stream);
  if (!st.ok()) throw std::runtime_error(std::string("class scales: ") + st.message());
}

Status decode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* data, size_t size,
                           const ClassScales& previous, ClassScales* out) {
  std::vector<int32_t> deltas(kInterClasses);
  const std::vector<int32_t> idx(kInterClasses, kScaleDeltaTable);
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(tables, data, size, idx.data(), deltas.size(), deltas.data()));
  for (int c = 0; c < kInterClasses; ++c) {
    const int64_t s = int64_t(previous[size_t(c)]) + deltas[size_t(c)];
    if (s < 0 || s >= entropy::kNumGaussianScales) return Status(StatusCode::kCorruptData, "P-frame class scale out of range");
    (*out)[size_t(c)] = uint8_t(s);
  }
  return OkStatus();
}

}  // namespace vaec::api
