// Block motion, what encoder and decoder share (issue 21, first stage; not yet in the
// bitstream): the vector field's layout, the vector each block is predicted with, and the exact
// motion-compensated prediction of a picture from a reference picture. coding/enc_motion.h
// searches the vectors.
//
// Blocks are kMotionBlock x kMotionBlock luma pixels in raster order (the last row and column
// may be cut by the frame's edge). A vector is in quarter luma pixels. The prediction is exact
// integer arithmetic, the same on every machine:
//
//   luma at (x, y) of a block with vector (vx, vy):  X = x + floor(vx / 4), fx = vx mod 4 (0..3),
//   likewise Y, fy; with A..D the reference at (X, Y), (X+1, Y), (X, Y+1), (X+1, Y+1) and every
//   coordinate clamped into the picture (edge extension):
//     ((4-fx)(4-fy)A + fx(4-fy)B + (4-fx)fy C + fx fy D + 8) >> 4
//   chroma (half resolution, the same vector in eighth chroma pixels): floor(v / 8), v mod 8,
//     ((8-fx)(8-fy)A + fx(8-fy)B + (8-fx)fy C + fx fy D + 32) >> 6
#pragma once

#include <cstdint>
#include <vector>

#include "common/frame.h"

namespace vaec::coding {

constexpr int kMotionBlock = 16;           // luma pixels per block side
constexpr int kMaxMotionQpel = 4 * 1024;   // |component| bound, quarter pixels

struct MotionVector {
  int32_t x = 0, y = 0;  // quarter luma pixels
  bool operator==(const MotionVector& o) const { return x == o.x && y == o.y; }
  bool operator!=(const MotionVector& o) const { return !(*this == o); }
};

struct MotionField {
  int rows = 0, cols = 0;
  std::vector<MotionVector> vectors;  // [rows][cols]

  // The all-zero field of a width x height picture.
  static MotionField for_frame(int width, int height);
  MotionVector& at(int row, int col) { return vectors[size_t(row) * cols + col]; }
  const MotionVector& at(int row, int col) const { return vectors[size_t(row) * cols + col]; }
};

// The vector block (row, col) is coded against: the component-wise median of its left, top and
// top-right neighbours (top-left where top-right is outside), as H.264; a neighbour outside the
// field counts as zero, and a block with only a left neighbour takes it.
MotionVector predicted_vector(const MotionField& field, int row, int col);

// The prediction of a picture of ref's size from ref and a field made for that size. Throws
// std::invalid_argument when the field does not match or a vector is out of bounds.
void predict_picture(const Frame& ref, const MotionField& field, Frame* prediction);

// One block's luma prediction (the rule above) into dst (stride kMotionBlock), cut at the
// picture's edge: what the encoder's sub-pixel search compares.
void predict_luma_block(const Frame& ref, int row, int col, MotionVector v, uint8_t* dst);

}  // namespace vaec::coding
