#include "coding/transform_residual.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace vaec::coding {

const int kDctMatrix[kTransformSize][kTransformSize] = {
    {64, 64, 64, 64, 64, 64, 64, 64},         {89, 75, 50, 18, -18, -50, -75, -89},
    {83, 36, -36, -83, -83, -36, 36, 83},     {75, -18, -89, -50, 50, 89, 18, -75},
    {64, -64, -64, 64, 64, -64, -64, 64},     {50, -89, 18, 75, -75, -18, 89, -50},
    {36, -83, 83, -36, -36, 83, -83, 36},     {18, -50, 75, -89, 89, -75, 50, -18}};

const TransformScales& default_transform_scales() {
  // Flags by activity bucket (luma, then chroma), then levels by band for each
  // (plane kind, activity bucket): larger for busier blocks and lower frequencies.
  static const TransformScales scales = [] {
    TransformScales s{};
    const uint8_t flags[kFlagClasses] = {1, 5, 7, 10, 1, 4, 8, 10};
    const uint8_t bands[2][kActivityBuckets][kFrequencyBands] = {
        {{19, 10, 2, 0, 0, 0, 0, 0}, {19, 13, 10, 6, 4, 0, 0, 0}, {18, 14, 10, 8, 5, 3, 0, 0},
         {20, 15, 12, 10, 8, 5, 2, 0}},
        {{18, 5, 0, 0, 0, 0, 0, 0}, {18, 8, 2, 0, 0, 0, 0, 0}, {18, 10, 5, 2, 0, 0, 0, 0},
         {18, 12, 8, 4, 2, 0, 0, 0}}};
    for (int c = 0; c < kFlagClasses; ++c) s[size_t(c)] = flags[c];
    for (int kind = 0; kind < 2; ++kind)
      for (int a = 0; a < kActivityBuckets; ++a)
        for (int b = 0; b < kFrequencyBands; ++b)
          s[size_t(kFlagClasses + (kind * kActivityBuckets + a) * kFrequencyBands + b)] = bands[kind][a][b];
    return s;
  }();
  return scales;
}

ClassMask present_classes(const std::array<std::vector<uint8_t>, 3>& block_classes,
                          const std::array<std::vector<uint8_t>, 3>* coded) {
  ClassMask present{};
  for (int p = 0; p < 3; ++p)
    for (size_t b = 0; b < block_classes[size_t(p)].size(); ++b) {
      const uint8_t cls = block_classes[size_t(p)][b];
      if (!coded)
        present[cls] = true;
      else if ((*coded)[size_t(p)][b])
        for (int band = 0; band < kFrequencyBands; ++band) present[size_t(kFlagClasses + cls * kFrequencyBands + band)] = true;
    }
  return present;
}

int transform_step(int qp) {
  if (qp < 0 || qp > kMaxTransformQp) throw std::invalid_argument("transform residual: qp out of range");
  static constexpr int kLevelScale[6] = {40, 45, 51, 57, 64, 72};  // 64 * 2^(k/6), as HEVC
  return (kLevelScale[qp % 6] << (qp / 6)) >> 2;
}

void inverse_transform(const int32_t* d, int32_t* r) {
  int32_t e[kTransformCoefficients];
  for (int y = 0; y < kTransformSize; ++y)
    for (int u = 0; u < kTransformSize; ++u) {
      int32_t sum = 64;
      for (int v = 0; v < kTransformSize; ++v) sum += kDctMatrix[v][y] * d[v * kTransformSize + u];
      e[y * kTransformSize + u] = std::clamp(sum >> 7, -32768, 32767);
    }
  for (int y = 0; y < kTransformSize; ++y)
    for (int x = 0; x < kTransformSize; ++x) {
      int32_t sum = 2048;
      for (int u = 0; u < kTransformSize; ++u) sum += kDctMatrix[u][x] * e[y * kTransformSize + u];
      r[y * kTransformSize + x] = sum >> 12;
    }
}

BlockGrid::BlockGrid(int plane_width, int plane_height)
    : width(plane_width),
      height(plane_height),
      blocks_x((plane_width + kTransformSize - 1) / kTransformSize),
      blocks_y((plane_height + kTransformSize - 1) / kTransformSize) {}

TransformLevels::TransformLevels(const Frame& f) {
  for (int p = 0; p < 3; ++p) {
    const BlockGrid grid(f.plane_width(p), f.plane_height(p));
    levels[size_t(p)].assign(size_t(grid.count()) * kTransformCoefficients, 0);
    coded[size_t(p)].assign(size_t(grid.count()), 0);
  }
}

std::array<std::vector<uint8_t>, 3> block_classes(const Frame& prediction) {
  std::array<std::vector<uint8_t>, 3> classes;
  for (int p = 0; p < 3; ++p) {
    const BlockGrid grid(prediction.plane_width(p), prediction.plane_height(p));
    const uint8_t* plane = prediction.planes[p].data();
    std::vector<uint8_t>& out = classes[size_t(p)];
    out.resize(size_t(grid.count()));
    for (int by = 0; by < grid.blocks_y; ++by)
      for (int bx = 0; bx < grid.blocks_x; ++bx) {
        // Activity: the sum of absolute differences between neighbouring samples inside the
        // block, per difference. Sub-pixel misalignment and changed texture leave residuals
        // where the picture is busy.
        const int x0 = bx * kTransformSize, y0 = by * kTransformSize;
        const int x1 = std::min(grid.width, x0 + kTransformSize), y1 = std::min(grid.height, y0 + kTransformSize);
        int sum = 0, pairs = 0;
        for (int y = y0; y < y1; ++y) {
          const uint8_t* row = plane + size_t(y) * grid.width;
          for (int x = x0; x < x1; ++x) {
            if (x + 1 < x1) sum += std::abs(row[x + 1] - row[x]), ++pairs;
            if (y + 1 < y1) sum += std::abs(row[x + grid.width] - row[x]), ++pairs;
          }
        }
        const int bucket = sum < pairs ? 0 : sum < 3 * pairs ? 1 : sum < 8 * pairs ? 2 : 3;
        out[size_t(by) * grid.blocks_x + bx] = uint8_t((p == 0 ? 0 : kActivityBuckets) + bucket);
      }
  }
  return classes;
}

void reconstruct_transform_residual(const Frame& prediction, const TransformLevels& levels, int qp, Frame* picture) {
  const int64_t step = transform_step(qp);
  if (picture != &prediction) *picture = prediction;
  int32_t d[kTransformCoefficients], r[kTransformCoefficients];
  for (int p = 0; p < 3; ++p) {
    const BlockGrid grid(prediction.plane_width(p), prediction.plane_height(p));
    uint8_t* plane = picture->planes[p].data();
    for (int b = 0; b < grid.count(); ++b) {
      if (!levels.coded[size_t(p)][size_t(b)]) continue;
      const int32_t* l = levels.levels[size_t(p)].data() + size_t(b) * kTransformCoefficients;
      for (int i = 0; i < kTransformCoefficients; ++i) {
        const int64_t v = int64_t(l[i]) * step;
        if (v > kMaxDequantized || v < -kMaxDequantized)
          throw std::invalid_argument("transform residual: level out of range");
        d[i] = int32_t(v);
      }
      inverse_transform(d, r);
      const int x0 = (b % grid.blocks_x) * kTransformSize, y0 = (b / grid.blocks_x) * kTransformSize;
      const int w = std::min(kTransformSize, grid.width - x0), h = std::min(kTransformSize, grid.height - y0);
      for (int y = 0; y < h; ++y) {
        uint8_t* row = plane + size_t(y0 + y) * grid.width + x0;
        for (int x = 0; x < w; ++x) row[x] = uint8_t(std::clamp(row[x] + r[y * kTransformSize + x], 0, 255));
      }
    }
  }
}

}  // namespace vaec::coding
