// The transform residual of motion P-frames (bitstream 3.1, docs/bitstream.md §3.3), what
// encoder (coding/enc_transform_residual.h) and decoder (coding/dec_transform_residual.h)
// share: a classical 8x8 integer DCT of what the motion prediction misses, as H.264/HEVC code
// it. It needs no training, costs nothing where a block is not coded, and lets detail build up
// over a GOP beyond what the intra synthesis reaches.
//
//   residual payload = qp (1 byte, 0..kMaxTransformQp)
//                    · one rANS stream of ONE lane (whatever its length; later tables depend
//                      on earlier symbols) holding, in this order:
//                      1. for each flag class some block has, in class order, its scale as a
//                         change from its default (default_transform_scales), table
//                         kScaleDeltaTable; a scale outside 0..63 is corrupt
//                      2. per plane Y, U, V, per 8x8 block in raster order, 1 when the block is
//                         coded, else 0 (its flag class's table)
//                      3. as 1, for each level class some coded block has
//                      4. per coded block in the order of 2, its 64 levels, row by row
//                         (vertical frequency v, then horizontal u)
//   One stream, not four sub-streams: a P-frame's residual is often a few dozen bytes, and
//   each stream's final state costs 8.
//
// Each symbol is coded with the Gaussian table its class chose (coding/class_scales.h). A
// block's class comes from the prediction, which both sides hold exactly: its plane kind (luma
// or chroma) and the activity bucket of the prediction's pixels in the block; a level's class
// adds its frequency band.
//
// Reconstruction, exact integer arithmetic (HEVC's 8x8 matrix and shifts): levels L[v][u]
// become D = L * transform_step(qp) (|D| <= 32767, else the stream is corrupt), then
//   E[y][u] = clamp((sum_v M[v][y] D[v][u] + 64) >> 7, -32768, 32767)
//   R[y][x] = (sum_u M[u][x] E[y][u] + 2048) >> 12
//   picture = clamp(prediction + R, 0, 255)  (samples outside the plane are dropped)
// D is 16 times the orthonormal DCT coefficient, so transform_step(qp) / 16 is the step of an
// orthonormal coefficient in pixels: 1 at qp 4, doubling every 6.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "coding/class_scales.h"
#include "common/frame.h"

namespace vaec::coding {

constexpr int kTransformSize = 8;
constexpr int kTransformCoefficients = kTransformSize * kTransformSize;
constexpr int kMaxTransformQp = 51;
constexpr int kMaxDequantized = 32767;

// Classes: block flags (plane kind × activity bucket), then levels (plane kind × activity
// bucket × frequency band).
constexpr int kActivityBuckets = 4;
constexpr int kFrequencyBands = 8;
constexpr int kFlagClasses = 2 * kActivityBuckets;
constexpr int kTransformClasses = kFlagClasses + 2 * kActivityBuckets * kFrequencyBands;
using TransformScales = ClassScalesOf<kTransformClasses>;
// Where each class's scale choice is coded from: typical choices (Gaussian table indices) on
// training clips, so that a frame sends small changes.
const TransformScales& default_transform_scales();

// Which classes have symbols: the flag classes of the blocks (`coded` null), or the level
// classes of the coded blocks. Only their scales are sent.
using ClassMask = std::array<bool, kTransformClasses>;
ClassMask present_classes(const std::array<std::vector<uint8_t>, 3>& block_classes,
                          const std::array<std::vector<uint8_t>, 3>* coded);

// Dequantization step (16 times the orthonormal coefficient's) of qp 0..kMaxTransformQp.
int transform_step(int qp);

// HEVC's 8x8 DCT matrix: row k is the basis function of frequency k.
extern const int kDctMatrix[kTransformSize][kTransformSize];

// The inverse transform above, D (64 values, row by row) to R (64 values).
void inverse_transform(const int32_t* dequantized, int32_t* residual);

// The 8x8 blocks of one plane: blocks_x x blocks_y covering it (the last ones may stick out).
struct BlockGrid {
  int width = 0, height = 0, blocks_x = 0, blocks_y = 0;
  explicit BlockGrid(int plane_width, int plane_height);
  int count() const { return blocks_x * blocks_y; }
};

// Levels of a frame: per plane, per block in raster order, 64 levels (row by row).
struct TransformLevels {
  std::array<std::vector<int32_t>, 3> levels;
  std::array<std::vector<uint8_t>, 3> coded;  // per block: 1 when any level is non-zero
  explicit TransformLevels(const Frame& f);
};

// The class of each block's flag, per plane, from the prediction.
std::array<std::vector<uint8_t>, 3> block_classes(const Frame& prediction);
// The class of level (v, u) of a block whose flag class is `flag_class`.
inline uint8_t level_class(uint8_t flag_class, int v, int u) {
  static constexpr uint8_t kBand[2 * kTransformSize - 1] = {0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 7};
  return uint8_t(kFlagClasses + flag_class * kFrequencyBands + kBand[v + u]);
}

// picture = clamp(prediction + inverse transform of the coded blocks' levels).
// Throws std::invalid_argument when a dequantized level leaves [-kMaxDequantized, kMaxDequantized].
void reconstruct_transform_residual(const Frame& prediction, const TransformLevels& levels, int qp, Frame* picture);

}  // namespace vaec::coding
