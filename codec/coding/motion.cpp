#include "coding/motion.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace vaec::coding {

namespace {

// floor(v / d) and v mod d (in 0..d-1) for d a power of two, for negative v too.
inline int floor_div(int v, int d) { return v >= 0 ? v / d : -((-v + d - 1) / d); }

int median3(int a, int b, int c) { return std::max(std::min(a, b), std::min(std::max(a, b), c)); }

// Predicts a w x h area of one plane whose top-left sample is (x0, y0), displaced by `v` in
// 1/`scale` samples (4: luma, 8: chroma), into dst with stride `dst_stride`.
void predict_area(const uint8_t* src, int src_w, int src_h, int x0, int y0, int w, int h, int vx, int vy, int scale,
                  int shift, uint8_t* dst, int dst_stride) {
  const int ix = floor_div(vx, scale), iy = floor_div(vy, scale);
  const int fx = vx - ix * scale, fy = vy - iy * scale;
  const int wa = (scale - fx) * (scale - fy), wb = fx * (scale - fy), wc = (scale - fx) * fy, wd = fx * fy;
  const int round = 1 << (shift - 1);
  const int sx = x0 + ix, sy = y0 + iy;
  const bool inside = sx >= 0 && sy >= 0 && sx + w + 1 <= src_w && sy + h + 1 <= src_h;
  for (int y = 0; y < h; ++y) {
    uint8_t* out = dst + size_t(y) * dst_stride;
    if (inside) {
      const uint8_t* a = src + size_t(sy + y) * src_w + sx;
      const uint8_t* c = a + src_w;
      if (fx == 0 && fy == 0) {
        std::copy(a, a + w, out);
        continue;
      }
      for (int x = 0; x < w; ++x)
        out[x] = uint8_t((wa * a[x] + wb * a[x + 1] + wc * c[x] + wd * c[x + 1] + round) >> shift);
      continue;
    }
    // Edge extension: every coordinate clamped into the plane.
    const int ya = std::clamp(sy + y, 0, src_h - 1), yc = std::clamp(sy + y + 1, 0, src_h - 1);
    const uint8_t* ra = src + size_t(ya) * src_w;
    const uint8_t* rc = src + size_t(yc) * src_w;
    for (int x = 0; x < w; ++x) {
      const int xa = std::clamp(sx + x, 0, src_w - 1), xb = std::clamp(sx + x + 1, 0, src_w - 1);
      out[x] = uint8_t((wa * ra[xa] + wb * ra[xb] + wc * rc[xa] + wd * rc[xb] + round) >> shift);
    }
  }
}

void check_vector(const MotionVector& v) {
  if (std::abs(v.x) > kMaxMotionQpel || std::abs(v.y) > kMaxMotionQpel)
    throw std::invalid_argument("motion vector out of bounds");
}

}  // namespace

MotionField MotionField::for_frame(int width, int height) {
  if (width <= 0 || height <= 0) throw std::invalid_argument("motion field: empty frame");
  MotionField f;
  f.rows = (height + kMotionBlock - 1) / kMotionBlock;
  f.cols = (width + kMotionBlock - 1) / kMotionBlock;
  f.vectors.assign(size_t(f.rows) * f.cols, MotionVector{});
  return f;
}

MotionVector predicted_vector(const MotionField& f, int row, int col) {
  const bool has_left = col > 0, has_top = row > 0;
  if (!has_top) return has_left ? f.at(row, col - 1) : MotionVector{};
  const MotionVector a = has_left ? f.at(row, col - 1) : MotionVector{};
  const MotionVector b = f.at(row - 1, col);
  const MotionVector c = col + 1 < f.cols ? f.at(row - 1, col + 1) : has_left ? f.at(row - 1, col - 1) : MotionVector{};
  return {median3(a.x, b.x, c.x), median3(a.y, b.y, c.y)};
}

void predict_luma_block(const Frame& ref, int row, int col, MotionVector v, uint8_t* dst) {
  check_vector(v);
  const int x0 = col * kMotionBlock, y0 = row * kMotionBlock;
  const int w = std::min(kMotionBlock, ref.width - x0), h = std::min(kMotionBlock, ref.height - y0);
  if (w <= 0 || h <= 0) throw std::invalid_argument("motion block outside the picture");
  predict_area(ref.planes[0].data(), ref.width, ref.height, x0, y0, w, h, v.x, v.y, 4, 4, dst, kMotionBlock);
}

void predict_picture(const Frame& ref, const MotionField& field, Frame* pred) {
  const MotionField shape = MotionField::for_frame(ref.width, ref.height);
  if (field.rows != shape.rows || field.cols != shape.cols || field.vectors.size() != shape.vectors.size())
    throw std::invalid_argument("motion field does not match the picture");
  for (const MotionVector& v : field.vectors) check_vector(v);
  pred->allocate(ref.width, ref.height);
  for (int r = 0; r < field.rows; ++r)
    for (int c = 0; c < field.cols; ++c) {
      const MotionVector v = field.at(r, c);
      for (int p = 0; p < 3; ++p) {
        const int block = p == 0 ? kMotionBlock : kMotionBlock / 2;
        const int pw = ref.plane_width(p), ph = ref.plane_height(p);
        const int x0 = c * block, y0 = r * block;
        const int w = std::min(block, pw - x0), h = std::min(block, ph - y0);
        if (w <= 0 || h <= 0) continue;
        predict_area(ref.planes[p].data(), pw, ph, x0, y0, w, h, v.x, v.y, p == 0 ? 4 : 8, p == 0 ? 4 : 6,
                     pred->planes[p].data() + size_t(y0) * pw + x0, pw);
      }
    }
}

}  // namespace vaec::coding
