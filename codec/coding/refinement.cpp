#include "coding/refinement_levels.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>

namespace vaec::coding {

int chroma_refinement_step_q4(int luma_step_q4) { return (luma_step_q4 * 5 + 2) / 4; }

LatentBusyness latent_busyness(const int32_t* anchor_scale_index, int channels, int height, int width) {
  LatentBusyness b;
  b.height = height;
  b.width = width;
  const size_t plane = size_t(height) * width;
  b.mean_index.assign(plane, 0);
  if (channels <= 0) return b;
  std::vector<int64_t> sum(plane, 0);
  for (int c = 0; c < channels; ++c)
    for (size_t i = 0; i < plane; ++i) sum[i] += anchor_scale_index[size_t(c) * plane + i];
  for (size_t i = 0; i < plane; ++i) b.mean_index[i] = uint8_t(std::clamp<int64_t>(sum[i] / channels, 0, 63));
  return b;
}

namespace refinement_detail {
namespace {

int plane_kind(int plane) { return plane == 0 ? 0 : 1; }
int busyness_bucket(uint8_t mean_index) { return std::min(kCarriedBucket - 1, mean_index / 6); }

// Bucket of t = 4 x the mean |q| of the pass-A neighbours: how many of the bounds
// {0, 1, 2, 3, 4, 6, 8, 11, 15, 22, 31} t exceeds (roughly logarithmic).
const std::array<uint8_t, 33> kNeighbourBucket = [] {
  static constexpr int kUpper[kBuckets - 1] = {0, 1, 2, 3, 4, 6, 8, 11, 15, 22, 31};
  std::array<uint8_t, 33> table{};
  for (int t = 0; t <= 32; ++t) {
    int b = 0;
    while (b < kBuckets - 1 && t > kUpper[b]) ++b;
    table[size_t(t)] = uint8_t(b);
  }
  return table;
}();
int neighbour_bucket(int t4) { return kNeighbourBucket[size_t(std::min(t4, 32))]; }

// The amount a coded level q adds to a sample: q steps of step_q4/16, rounded half away from 0.
int dequantize(int32_t q, int step_q4) {
  const int m = (std::abs(q) * step_q4 + 8) >> 4;
  return q < 0 ? -m : m;
}

int16_t next_offset(int carried, int32_t q, int step) {
  return int16_t(std::clamp(carried + dequantize(q, step), -kMaxOffset, kMaxOffset));
}

uint8_t clip_pixel(int v) { return uint8_t(std::clamp(v, 0, 255)); }

}  // namespace

int latent_shift(int plane) { return plane == 0 ? 4 : 3; }
int plane_step(int plane, int step_q4) { return plane == 0 ? step_q4 : chroma_refinement_step_q4(step_q4); }
bool has_offsets(const RefinementOffsets* o) { return o && !(*o)[0].empty(); }

std::vector<uint8_t> pass_classes(const Carry& carry, const Levels& levels, int pass) {
  std::vector<uint8_t> classes;
  classes.reserve(levels.pass_size(pass));
  for (int p = 0; p < 3; ++p) {
    const int w = levels.width[size_t(p)], h = levels.height[size_t(p)], kind = plane_kind(p);
    const int32_t* q = levels.q[size_t(p)].data();
    for (int y = 0; y < h; ++y) {
      const int first = (y + pass) & 1;
      if (pass == 0) {
        const uint8_t* busy = carry.busyness_row(p, y);
        const uint8_t* activity = carry.activity_row(p, y);
        for (int x = first; x < w; x += 2) {
          const int lx = carry.latent_column(p, x);
          const int bucket = Carry::held_still(activity, lx) ? kCarriedBucket : busyness_bucket(busy[lx]);
          classes.push_back(uint8_t(kind * kBuckets + bucket));
        }
      } else {
        const int32_t* row = q + size_t(y) * w;
        const int32_t* up = y > 0 ? row - w : nullptr;
        const int32_t* down = y + 1 < h ? row + w : nullptr;
        auto mag = [](int32_t v) { return std::min<int32_t>(255, std::abs(v)); };
        for (int x = first; x < w; x += 2) {
          int sum = 0, count = 0;
          if (x > 0) sum += mag(row[x - 1]), ++count;
          if (x + 1 < w) sum += mag(row[x + 1]), ++count;
          if (up) sum += mag(up[x]), ++count;
          if (down) sum += mag(down[x]), ++count;
          // count >= 1: a pass-B sample has x >= 1 or y >= 1.
          classes.push_back(uint8_t(kPassBClassBase + kind * kBuckets + neighbour_bucket(sum * 4 / count)));
        }
      }
    }
  }
  return classes;
}

std::vector<int32_t> pass_values(const Levels& levels, int pass) {
  std::vector<int32_t> values;
  values.reserve(levels.pass_size(pass));
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < levels.height[size_t(p)]; ++y) {
      const int32_t* row = levels.q[size_t(p)].data() + size_t(y) * levels.width[size_t(p)];
      for (int x = (y + pass) & 1; x < levels.width[size_t(p)]; x += 2) values.push_back(row[x]);
    }
  return values;
}

void apply_levels(const Levels& levels, const Carry& carry, int step_q4, Frame* picture, RefinementOffsets* offsets) {
  RefinementOffsets next;
  for (int p = 0; p < 3; ++p) {
    const int step = plane_step(p, step_q4), w = levels.width[size_t(p)];
    std::vector<uint8_t>& px = picture->planes[size_t(p)];
    next[size_t(p)].resize(px.size());
    for (int y = 0; y < levels.height[size_t(p)]; ++y) {
      const uint8_t* activity = carry.activity_row(p, y);
      const int16_t* previous = carry.previous_row(p, y, w);
      const int32_t* q = levels.q[size_t(p)].data() + size_t(y) * w;
      int16_t* offset = next[size_t(p)].data() + size_t(y) * w;
      uint8_t* out = px.data() + size_t(y) * w;
      for (int x = 0; x < w; ++x) {
        const int carried = carry.carried(activity, previous, p, x);
        offset[x] = next_offset(carried, q[x], step);
        out[x] = clip_pixel(int(out[x]) + offset[x]);
      }
    }
  }
  *offsets = std::move(next);  // only now: ctx.previous may be *offsets
}

void check_context(const RefinementContext& ctx, const Frame& f) {
  const LatentBusyness& b = ctx.busyness;
  if (b.width < (f.width + kLumaPerLatent - 1) / kLumaPerLatent ||
      b.height < (f.height + kLumaPerLatent - 1) / kLumaPerLatent ||
      b.mean_index.size() != size_t(b.width) * b.height)
    throw std::invalid_argument("refinement: latent busyness does not cover the frame");
  if (ctx.previous && !ctx.activity) throw std::invalid_argument("refinement: previous offsets without activity");
  if (has_offsets(ctx.previous))
    for (int p = 0; p < 3; ++p)
      if ((*ctx.previous)[size_t(p)].size() != f.plane_size(p))
        throw std::invalid_argument("refinement: previous offsets of another size");
}

}  // namespace refinement_detail
}  // namespace vaec::coding
