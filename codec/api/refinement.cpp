#include "api/refinement.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "api/inter_context.h"
#include "api/intra_payload.h"
#include "bitstream/substreams.h"
#include "entropy/byte_io.h"
#include "entropy/rans.h"

namespace vaec::api {
namespace {

// Classes (48, the P-frames' ClassScales): pass A  plane kind (luma, chroma) × (11 busyness
// buckets + "carried"), then pass B  plane kind × 12 neighbour-magnitude buckets.
constexpr int kBuckets = 12;
constexpr int kCarriedBucket = kBuckets - 1;
constexpr int kPassBClassBase = 2 * kBuckets;
// The sub-stream's first byte.
enum Mode : uint8_t { kIntraMode = 0, kCarryMode = 1 };
constexpr int kMaxOffset = 255;
// Where the per-class table choices are coded from (their deltas cost little when near).
constexpr uint8_t kDefaultScale = 16;
// Residuals within 0.5 + kDeadzone steps of a level are coded as the level below: cheaper,
// and costs little distortion (a Laplacian residual is denser towards zero).
constexpr double kDeadzone = 0.12;
// Each latent covers 16x16 luma samples (8x8 chroma).
constexpr int kLumaPerLatent = 16;

int plane_kind(int plane) { return plane == 0 ? 0 : 1; }
int latent_shift(int plane) { return plane == 0 ? 4 : 3; }

int busyness_bucket(uint8_t mean_index) { return std::min(kCarriedBucket - 1, mean_index / 6); }

// Bucket of 4 x the mean |q| of the pass-A neighbours (roughly logarithmic).
int neighbour_bucket(int t4) {
  static constexpr int kUpper[kBuckets - 1] = {0, 1, 2, 3, 4, 6, 8, 11, 15, 22, 31};
  int b = 0;
  while (b < kBuckets - 1 && t4 > kUpper[b]) ++b;
  return b;
}

// The amount a coded level q adds to a sample: q steps of step_q4/16, rounded half away from 0.
int dequantize(int32_t q, int step_q4) {
  const int m = (std::abs(q) * step_q4 + 8) >> 4;
  return q < 0 ? -m : m;
}

// The levels of one plane, and the helpers both passes need.
struct PlaneLevels {
  int width = 0, height = 0;
  std::vector<int32_t> q;  // [height][width]

  int pass_b_class(int kind, int x, int y) const {
    int sum = 0, count = 0;
    auto add = [&](int xx, int yy) {
      if (xx < 0 || yy < 0 || xx >= width || yy >= height) return;
      sum += std::min<int32_t>(255, std::abs(q[size_t(yy) * width + xx]));
      ++count;
    };
    add(x - 1, y);
    add(x + 1, y);
    add(x, y - 1);
    add(x, y + 1);
    return kPassBClassBase + kind * kBuckets + neighbour_bucket(count ? sum * 4 / count : 0);
  }
};

// Visits the samples of one checkerboard pass (parity 0: x + y even) in coding order.
template <typename F>
void for_each_in_pass(const Frame& f, int parity, F&& visit) {
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = (y + parity) & 1; x < f.plane_width(p); x += 2) visit(p, x, y);
}

int latent_position(const LatentBusyness& b, int plane, int x, int y) {
  const int s = latent_shift(plane);
  return std::min(b.height - 1, y >> s) * b.width + std::min(b.width - 1, x >> s);
}

// Where a P-frame carries the previous offsets, and the offset carried there (0 elsewhere).
struct Carry {
  const RefinementContext& ctx;
  bool on;
  bool carried(int plane, int x, int y) const {
    return on && ctx.activity[latent_position(ctx.busyness, plane, x, y)] == 0;
  }
  int offset(int plane, int x, int y, int width) const {
    return carried(plane, x, y) ? (*ctx.previous)[size_t(plane)][size_t(y) * width + x] : 0;
  }
};

int pass_a_class(const RefinementContext& ctx, const Carry& carry, int plane, int x, int y) {
  const int bucket = carry.carried(plane, x, y)
                         ? kCarriedBucket
                         : busyness_bucket(ctx.busyness.mean_index[size_t(latent_position(ctx.busyness, plane, x, y))]);
  return plane_kind(plane) * kBuckets + bucket;
}

bool has_offsets(const RefinementOffsets* o) { return o && !(*o)[0].empty(); }

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

int16_t next_offset(int carried, int32_t q, int step) {
  return int16_t(std::clamp(carried + dequantize(q, step), -kMaxOffset, kMaxOffset));
}

uint8_t clip_pixel(int v) { return uint8_t(std::clamp(v, 0, 255)); }

}  // namespace

int chroma_refinement_step_q4(int luma_step_q4) { return (luma_step_q4 * 5 + 2) / 4; }

LatentBusyness latent_busyness(const int32_t* anchor_scale_index, int channels, int height, int width) {
  LatentBusyness b;
  b.height = height;
  b.width = width;
  const size_t plane = size_t(height) * width;
  b.mean_index.assign(plane, 0);
  if (channels <= 0) return b;
  for (size_t i = 0; i < plane; ++i) {
    int64_t sum = 0;
    for (int c = 0; c < channels; ++c) sum += anchor_scale_index[size_t(c) * plane + i];
    b.mean_index[i] = uint8_t(std::clamp<int64_t>(sum / channels, 0, 63));
  }
  return b;
}

std::vector<uint8_t> encode_refinement(const Frame& original, int step_q4, const RefinementContext& ctx,
                                       Frame* picture, RefinementOffsets* offsets) {
  if (step_q4 < kMinRefinementStepQ4 || step_q4 > kMaxRefinementStepQ4)
    throw std::invalid_argument("refinement: step out of range");
  if (!original.same_size(*picture)) throw std::invalid_argument("refinement: picture size differs");
  check_context(ctx, original);
  const Mode mode = has_offsets(ctx.previous) ? kCarryMode : kIntraMode;
  const Carry carry{ctx, mode == kCarryMode};

  std::array<PlaneLevels, 3> levels;
  RefinementOffsets next;  // not in *offsets yet: it may be ctx.previous
  for (int p = 0; p < 3; ++p) {
    const int step = p == 0 ? step_q4 : chroma_refinement_step_q4(step_q4);
    PlaneLevels& l = levels[size_t(p)];
    l.width = original.plane_width(p);
    l.height = original.plane_height(p);
    l.q.resize(original.plane_size(p));
    next[size_t(p)].resize(l.q.size());
    for (int y = 0; y < l.height; ++y)
      for (int x = 0; x < l.width; ++x) {
        const size_t i = size_t(y) * l.width + x;
        const int carried = carry.offset(p, x, y, l.width);
        const int base = picture->planes[p][i];
        const int r = int(original.planes[p][i]) - base - carried;
        const int32_t m = int32_t(std::max(0.0, std::floor(std::abs(r) * 16.0 / step + 0.5 - kDeadzone)));
        l.q[i] = r < 0 ? -m : m;
        const int16_t offset = next_offset(carried, l.q[i], step);
        next[size_t(p)][i] = offset;
        picture->planes[p][i] = clip_pixel(base + offset);
      }
  }
  *offsets = std::move(next);
  std::vector<int32_t> values[2];
  std::vector<uint8_t> classes[2];
  for (int pass = 0; pass < 2; ++pass)
    for_each_in_pass(original, pass, [&](int p, int x, int y) {
      const PlaneLevels& l = levels[size_t(p)];
      values[pass].push_back(l.q[size_t(y) * l.width + x]);
      classes[pass].push_back(
          uint8_t(pass == 0 ? pass_a_class(ctx, carry, p, x, y) : l.pass_b_class(plane_kind(p), x, y)));
    });
  // One fit over both passes: their classes are disjoint.
  std::vector<int32_t> all_values = values[0];
  all_values.insert(all_values.end(), values[1].begin(), values[1].end());
  std::vector<uint8_t> all_classes = classes[0];
  all_classes.insert(all_classes.end(), classes[1].begin(), classes[1].end());
  ClassScales defaults;
  defaults.fill(kDefaultScale);
  const ClassScales scales =
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

Status decode_refinement(const uint8_t* data, size_t size, const RefinementContext& ctx, Frame* picture,
                         RefinementOffsets* offsets) {
  if (size < 3) return Status(StatusCode::kTruncated, "refinement: too short");
  const uint8_t mode = data[0];
  if (mode != kIntraMode && mode != kCarryMode) return Status(StatusCode::kCorruptData, "refinement: unknown mode");
  if (mode == kCarryMode && !has_offsets(ctx.previous))
    return Status(StatusCode::kCorruptData, "refinement: carries offsets no previous frame left");
  const int step_q4 = load_le16(data + 1);
  if (step_q4 < kMinRefinementStepQ4 || step_q4 > kMaxRefinementStepQ4)
    return Status(StatusCode::kCorruptData, "refinement: step out of range");
  check_context(ctx, *picture);
  const Carry carry{ctx, mode == kCarryMode};
  bitstream::SubstreamReader streams(data + 3, size - 3);
  const uint8_t* part[3];
  size_t part_size[3];
  for (int i = 0; i < 3; ++i) VAEC_RETURN_IF_ERROR(streams.next(&part[i], &part_size[i]));
  if (!streams.done()) return Status(StatusCode::kCorruptData, "refinement: trailing bytes");
  ClassScales defaults, scales;
  defaults.fill(kDefaultScale);
  VAEC_RETURN_IF_ERROR(decode_class_scales(gaussian_tables(), part[0], part_size[0], defaults, &scales));

  std::array<PlaneLevels, 3> levels;
  for (int p = 0; p < 3; ++p) {
    levels[size_t(p)].width = picture->plane_width(p);
    levels[size_t(p)].height = picture->plane_height(p);
    levels[size_t(p)].q.assign(picture->plane_size(p), 0);
  }
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<int32_t> idx;
    for_each_in_pass(*picture, pass, [&](int p, int x, int y) {
      idx.push_back(scales[size_t(pass == 0 ? pass_a_class(ctx, carry, p, x, y)
                                            : levels[size_t(p)].pass_b_class(plane_kind(p), x, y))]);
    });
    std::vector<int32_t> values(idx.size());
    VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), part[1 + pass], part_size[1 + pass], idx.data(),
                                           values.size(), values.data()));
    size_t i = 0;
    Status bad;
    for_each_in_pass(*picture, pass, [&](int p, int x, int y) {
      const int32_t q = values[i++];
      // A level beyond a full pixel range never comes from an encoder.
      const int step = p == 0 ? step_q4 : chroma_refinement_step_q4(step_q4);
      if (int64_t(std::abs(int64_t(q))) * step > 256 * 16) bad = Status(StatusCode::kCorruptData, "refinement: level out of range");
      else levels[size_t(p)].q[size_t(y) * levels[size_t(p)].width + x] = q;
    });
    VAEC_RETURN_IF_ERROR(bad);
  }
  RefinementOffsets next;
  for (int p = 0; p < 3; ++p) {
    const int step = p == 0 ? step_q4 : chroma_refinement_step_q4(step_q4);
    const PlaneLevels& l = levels[size_t(p)];
    std::vector<uint8_t>& px = picture->planes[size_t(p)];
    next[size_t(p)].resize(px.size());
    for (int y = 0; y < l.height; ++y)
      for (int x = 0; x < l.width; ++x) {
        const size_t i = size_t(y) * l.width + x;
        const int16_t offset = next_offset(carry.offset(p, x, y, l.width), l.q[i], step);
        next[size_t(p)][i] = offset;
        px[i] = clip_pixel(int(px[i]) + offset);
      }
  }
  *offsets = std::move(next);
  return OkStatus();
}

}  // namespace vaec::api
