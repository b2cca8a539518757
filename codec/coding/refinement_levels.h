// The refinement's passes and classes, which its encoder (coding/enc_refinement.cpp) and
// decoder (coding/dec_refinement.cpp) both run: the levels of a frame, where a P-frame carries
// the previous offsets, the class of every sample, and how levels rebuild the picture.
// Internal to the refinement module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "coding/class_scales.h"
#include "coding/refinement.h"
#include "common/frame.h"

namespace vaec::coding::refinement_detail {


// Classes: pass A  plane kind (luma, chroma) × (11 busyness
// buckets + "carried"), then pass B  plane kind × 12 neighbour-magnitude buckets.
constexpr int kBuckets = 12;
constexpr int kCarriedBucket = kBuckets - 1;
constexpr int kPassBClassBase = 2 * kBuckets;
// The sub-stream's first byte.
enum Mode : uint8_t { kIntraMode = 0, kCarryMode = 1 };
constexpr int kMaxOffset = 255;
// Where the per-class table choices are coded from (their deltas cost little when near).
constexpr uint8_t kDefaultScale = 16;
// Each latent covers 16x16 luma samples (8x8 chroma).
constexpr int kLumaPerLatent = 16;

constexpr int kRefinementClasses = 4 * kBuckets;  // 2 passes × 2 plane kinds × kBuckets
using RefinementScales = ClassScalesOf<kRefinementClasses>;  // the table of each class
static_assert(kPassBClassBase + 2 * kBuckets == kRefinementClasses, "pass B classes end the class range");

int latent_shift(int plane);
int plane_step(int plane, int step_q4);
bool has_offsets(const RefinementOffsets* o);

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
std::vector<uint8_t> pass_classes(const Carry& carry, const Levels& levels, int pass);
// The levels of one pass, in coding order.
std::vector<int32_t> pass_values(const Levels& levels, int pass);
// Adds the levels (and the carried offsets) to *picture; *offsets gets what this frame leaves.
void apply_levels(const Levels& levels, const Carry& carry, int step_q4, Frame* picture, RefinementOffsets* offsets);
// Throws std::invalid_argument when the context does not fit the frame.
void check_context(const RefinementContext& ctx, const Frame& f);

}  // namespace vaec::coding::refinement_detail
