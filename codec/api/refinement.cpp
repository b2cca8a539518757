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
int plane_step(int plane, int step_q4) { return plane == 0 ? step_q4 : chroma_refinement_step_q4(step_q4); }

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

bool has_offsets(const RefinementOffsets* o) { return o && !(*o)[0].empty(); }

// Levels of the three planes, [height][width] each.
struct Levels {
  std::array<int, 3> width{}, height{};
  std::array<std::vector<int32_t>, 3> q;

  explicit Levels(const Frame& f) {
    for (int p = 0; p < 3; ++p) {
      width[size_t(p)] = f.plane_width(p);
      height[size_t(p)] = f.plane_height(p);
      q[size_t(p)].assign(f.plane_size(p), 0);
    }
  }
  size_t pass_size(int pass) const {
    size_t n = 0;
    for (int p = 0; p < 3; ++p) n += (size_t(width[size_t(p)]) * height[size_t(p)] + (pass == 0)) / 2;
    return n;
  }
};

// Where a P-frame carries the previous offsets: per plane row, the activity row of its latents
// (nullptr in mode 0); a sample is carried where its latent's activity is 0.
class Carry {
 public:
  Carry(const RefinementContext& ctx, bool on) : ctx_(ctx), on_(on) {}
  const uint8_t* activity_row(int plane, int y) const {
    return on_ ? ctx_.activity + size_t(latent_row(plane, y)) * ctx_.busyness.width : nullptr;
  }
  const uint8_t* busyness_row(int plane, int y) const {
    return ctx_.busyness.mean_index.data() + size_t(latent_row(plane, y)) * ctx_.busyness.width;
  }
  int latent_column(int plane, int x) const { return std::min(ctx_.busyness.width - 1, x >> latent_shift(plane)); }
  const int16_t* previous_row(int plane, int y, int width) const {
    return on_ ? (*ctx_.previous)[size_t(plane)].data() + size_t(y) * width : nullptr;
  }
  // Whether the latent at column lx of an activity row held still (so its samples are carried).
  static bool held_still(const uint8_t* activity, int lx) { return activity && activity[lx] == 0; }
  // The previous offset a sample starts from: carried where its latent held still, else 0.
  int carried(const uint8_t* activity, const int16_t* previous, int plane, int x) const {
    return held_still(activity, latent_column(plane, x)) ? previous[x] : 0;
  }

 private:
  int latent_row(int plane, int y) const { return std::min(ctx_.busyness.height - 1, y >> latent_shift(plane)); }
  const RefinementContext& ctx_;
  bool on_;
};

// The class of every sample of one pass, in coding order (plane Y, U, V; raster order).
// Pass B reads the pass-A levels around each sample.
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

// The levels of one pass, in coding order.
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

// Adds the levels (and the carried offsets) to *picture; *offsets gets what this frame leaves.
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

}  // namespace

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
  const Carry carry(ctx, mode == kCarryMode);
  bitstream::SubstreamReader streams(data + 3, size - 3);
  const uint8_t* part[3];
  size_t part_size[3];
  for (int i = 0; i < 3; ++i) VAEC_RETURN_IF_ERROR(streams.next(&part[i], &part_size[i]));
  if (!streams.done()) return Status(StatusCode::kCorruptData, "refinement: trailing bytes");
  ClassScales defaults, scales;
  defaults.fill(kDefaultScale);
  VAEC_RETURN_IF_ERROR(decode_class_scales(gaussian_tables(), part[0], part_size[0], defaults, &scales));

  Levels levels(*picture);
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<uint8_t> classes = pass_classes(carry, levels, pass);
    std::vector<int32_t> idx(classes.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = scales[classes[i]];
    std::vector<int32_t> values(idx.size());
    VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), part[1 + pass], part_size[1 + pass], idx.data(),
                                           values.size(), values.data()));
    size_t i = 0;
    for (int p = 0; p < 3; ++p) {
      // A level beyond a full pixel range never comes from an encoder (and would overflow).
      const int64_t max_level = 256 * 16 / plane_step(p, step_q4);
      for (int y = 0; y < levels.height[size_t(p)]; ++y) {
        int32_t* row = levels.q[size_t(p)].data() + size_t(y) * levels.width[size_t(p)];
        for (int x = (y + pass) & 1; x < levels.width[size_t(p)]; x += 2) {
          const int32_t q = values[i++];
          if (std::abs(int64_t(q)) > max_level) return Status(StatusCode::kCorruptData, "refinement: level out of range");
          row[x] = q;
        }
      }
    }
  }
  apply_levels(levels, carry, step_q4, picture, offsets);
  return OkStatus();
}

}  // namespace vaec::api
