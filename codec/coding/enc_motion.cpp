#include "coding/enc_motion.h"

#include "coding/motion_payload.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <stdexcept>

namespace vaec::coding {

namespace {

int signed_exp_golomb_bits(int v) {
  const unsigned code = v > 0 ? 2u * unsigned(v) - 1 : 2u * unsigned(-v);  // 0, 1, -1, 2, -2 ... -> 0, 1, 2, 3, 4
  int bits = 1;
  for (unsigned n = code + 1; n > 1; n >>= 1) bits += 2;
  return bits;
}

// A block being searched: its position, size, pixels, and the vector it is coded against.
struct Block {
  const Frame& cur;
  const Frame& ref;
  int row, col, x0, y0, w, h;
  MotionVector predicted;
  double lambda;
  int range_qpel;

  // SAD at a whole-pixel vector, or INT_MAX when it leaves the search range.
  long sad_integer(MotionVector v) const {
    const int sx = x0 + v.x / 4, sy = y0 + v.y / 4;
    long sad = 0;
    for (int y = 0; y < h; ++y) {
      const uint8_t* a = cur.planes[0].data() + size_t(y0 + y) * cur.width + x0;
      const int ry = std::clamp(sy + y, 0, ref.height - 1);
      const uint8_t* b = ref.planes[0].data() + size_t(ry) * ref.width;
      if (sx >= 0 && sx + w <= ref.width) {
        b += sx;
        for (int x = 0; x < w; ++x) sad += std::abs(int(a[x]) - int(b[x]));
      } else {
        for (int x = 0; x < w; ++x) sad += std::abs(int(a[x]) - int(b[std::clamp(sx + x, 0, ref.width - 1)]));
      }
    }
    return sad;
  }
  long sad_subpixel(MotionVector v) const {
    uint8_t pred[kMotionBlock * kMotionBlock];
    predict_luma_block(ref, row, col, v, pred);
    long sad = 0;
    for (int y = 0; y < h; ++y) {
      const uint8_t* a = cur.planes[0].data() + size_t(y0 + y) * cur.width + x0;
      for (int x = 0; x < w; ++x) sad += std::abs(int(a[x]) - int(pred[y * kMotionBlock + x]));
    }
    return sad;
  }
  bool in_range(MotionVector v) const {
    return std::abs(v.x) <= range_qpel && std::abs(v.y) <= range_qpel;
  }
  double cost(MotionVector v) const {
    if (!in_range(v)) return 1e300;
    const long sad = (v.x % 4 == 0 && v.y % 4 == 0) ? sad_integer(v) : sad_subpixel(v);
    return double(sad) + lambda * vector_bits({v.x - predicted.x, v.y - predicted.y});
  }
};

MotionVector to_integer(MotionVector v) {
  auto round4 = [](int q) { return (q >= 0 ? (q + 2) / 4 : -((-q + 2) / 4)) * 4; };
  return {round4(v.x), round4(v.y)};
}

// Moves `best` along `pattern` (vectors in quarter pixels) while a neighbour costs less.
void descend(const Block& b, const MotionVector* pattern, int n, int max_steps, MotionVector* best, double* best_cost) {
  for (int step = 0; step < max_steps; ++step) {
    MotionVector next = *best;
    double next_cost = *best_cost;
    for (int i = 0; i < n; ++i) {
      const MotionVector v{best->x + pattern[i].x, best->y + pattern[i].y};
      const double c = b.cost(v);
      if (c < next_cost) next = v, next_cost = c;
    }
    if (next == *best) return;
    *best = next;
    *best_cost = next_cost;
  }
}

}  // namespace

int vector_bits(MotionVector d) { return signed_exp_golomb_bits(d.x) + signed_exp_golomb_bits(d.y); }

std::vector<uint8_t> encode_motion_payload(int quality, const MotionField& field, MotionResidual kind,
                                           const std::vector<uint8_t>& residual) {
  if (quality < 1 || quality > 100) throw std::invalid_argument("motion payload: quality out of range");
  if ((kind == MotionResidual::kNone) != residual.empty() ||
      (kind == MotionResidual::kIntra && residual[0] != quality))
    throw std::invalid_argument("motion payload: residual unlike its kind or quality");
  std::vector<uint8_t> payload = {kMotionPayloadMarker, uint8_t(quality), uint8_t(kind)};
  append_motion_field(field, &payload);
  payload.insert(payload.end(), residual.begin(), residual.end());
  return payload;
}

Frame motion_residual(const Frame& current, const Frame& prediction) {
  Frame out;
  out.allocate(current.width, current.height);
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < out.planes[p].size(); ++i)
      out.planes[p][i] = uint8_t(std::clamp(int(current.planes[p][i]) - int(prediction.planes[p][i]) + 128, 0, 255));
  return out;
}

MotionField estimate_motion(const Frame& current, const Frame& reference, const MotionSearchOptions& o,
                            const MotionField* previous) {
  if (!current.same_size(reference)) throw std::invalid_argument("motion search: pictures differ in size");
  if (o.range < 1 || 4 * o.range > kMaxMotionQpel) throw std::invalid_argument("motion search: range out of bounds");
  MotionField field = MotionField::for_frame(current.width, current.height);
  if (previous && (previous->rows != field.rows || previous->cols != field.cols)) previous = nullptr;
  static const MotionVector hexagon[6] = {{-8, 0}, {8, 0}, {-4, -8}, {4, -8}, {-4, 8}, {4, 8}};
  static const MotionVector square1[8] = {{-4, -4}, {0, -4}, {4, -4}, {-4, 0}, {4, 0}, {-4, 4}, {0, 4}, {4, 4}};
  static const MotionVector half[8] = {{-2, -2}, {0, -2}, {2, -2}, {-2, 0}, {2, 0}, {-2, 2}, {0, 2}, {2, 2}};
  static const MotionVector quarter[8] = {{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}};
  for (int r = 0; r < field.rows; ++r)
    for (int c = 0; c < field.cols; ++c) {
      const int x0 = c * kMotionBlock, y0 = r * kMotionBlock;
      const Block b{current, reference, r, c, x0, y0, std::min(kMotionBlock, current.width - x0),
                    std::min(kMotionBlock, current.height - y0), predicted_vector(field, r, c), o.lambda,
                    4 * o.range};
      // Whole-pixel candidates: the prediction, zero, the neighbours, last frame's vector here.
      MotionVector candidates[6] = {to_integer(b.predicted), {0, 0}};
      int n = 2;
      if (c > 0) candidates[n++] = to_integer(field.at(r, c - 1));
      if (r > 0) candidates[n++] = to_integer(field.at(r - 1, c));
      if (r > 0 && c + 1 < field.cols) candidates[n++] = to_integer(field.at(r - 1, c + 1));
      if (previous) candidates[n++] = to_integer(previous->at(r, c));
      MotionVector best{};
      double best_cost = 1e300;
      for (int i = 0; i < n; ++i) {
        const double cost = b.cost(candidates[i]);
        if (cost < best_cost) best = candidates[i], best_cost = cost;
      }
      descend(b, hexagon, 6, o.range, &best, &best_cost);
      descend(b, square1, 8, 1, &best, &best_cost);
      if (o.subpixel) {
        // Sub-pixel candidates also include the predicted vector itself (it may be fractional).
        const double cost = b.cost(b.predicted);
        if (cost < best_cost) best = b.predicted, best_cost = cost;
        descend(b, half, 8, 1, &best, &best_cost);
        descend(b, quarter, 8, 1, &best, &best_cost);
      }
      field.at(r, c) = best;
    }
  return field;
}

}  // namespace vaec::coding
