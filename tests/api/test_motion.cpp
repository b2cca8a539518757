// Block motion (coding/motion.h, coding/enc_motion.h): the exact prediction rule, edge
// extension, vector prediction, and a search that finds known motion.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "coding/enc_motion.h"
#include "coding/motion.h"
#include "coding/motion_payload.h"
#include "coding/payload_common.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::coding;

namespace {

// Smooth texture with detail at several scales, so a search has one clear best vector.
Frame textured(int w, int h, int dx = 0, int dy = 0) {
  Frame f;
  f.allocate(w, h);
  for (int p = 0; p < 3; ++p) {
    const int s = p ? 2 : 1;
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = 0; x < f.plane_width(p); ++x) {
        const double X = (x * s - dx), Y = (y * s - dy);
        const double v = 128 + 50 * std::sin(X * 0.21 + p) * std::cos(Y * 0.17) + 30 * std::sin((X + 2 * Y) * 0.071) +
                         20 * std::cos(X * 0.53 - Y * 0.41);
        f.planes[p][size_t(y) * f.plane_width(p) + x] = uint8_t(std::lround(std::clamp(v, 0.0, 255.0)));
      }
  }
  return f;
}

// The rule of coding/motion.h, one sample at a time, for comparison.
int reference_sample(const Frame& ref, int p, int x, int y, MotionVector v) {
  const int scale = p ? 8 : 4, shift = p ? 6 : 4;
  auto fl = [&](int a) { return int(std::floor(double(a) / scale)); };
  const int X = x + fl(v.x), Y = y + fl(v.y), fx = v.x - fl(v.x) * scale, fy = v.y - fl(v.y) * scale;
  const int w = ref.plane_width(p), h = ref.plane_height(p);
  auto at = [&](int xx, int yy) {
    return int(ref.planes[p][size_t(std::clamp(yy, 0, h - 1)) * w + std::clamp(xx, 0, w - 1)]);
  };
  return ((scale - fx) * (scale - fy) * at(X, Y) + fx * (scale - fy) * at(X + 1, Y) +
          (scale - fx) * fy * at(X, Y + 1) + fx * fy * at(X + 1, Y + 1) + (1 << (shift - 1))) >> shift;
}

}  // namespace

TEST_CASE("motion-compensated prediction follows the specified rule, edges included", "[motion]") {
  const Frame ref = textured(70, 45);  // cut blocks at the right and bottom, odd chroma sizes
  MotionField field = MotionField::for_frame(ref.width, ref.height);
  REQUIRE(field.rows == 3);
  REQUIRE(field.cols == 5);
  const MotionVector vs[] = {{0, 0}, {5, -3}, {-7, 13}, {-400, 2}, {1, 333}, {-1, -1}, {4, 8}, {3, 2}};
  for (size_t i = 0; i < field.vectors.size(); ++i) field.vectors[i] = vs[i % 8];
  Frame pred;
  predict_picture(ref, field, &pred);
  REQUIRE(pred.same_size(ref));
  int checked = 0;
  for (int p = 0; p < 3; ++p) {
    const int block = p ? kMotionBlock / 2 : kMotionBlock;
    for (int y = 0; y < pred.plane_height(p); ++y)
      for (int x = 0; x < pred.plane_width(p); ++x) {
        const MotionVector v = field.at(y / block, x / block);
        REQUIRE(int(pred.planes[p][size_t(y) * pred.plane_width(p) + x]) == reference_sample(ref, p, x, y, v));
        ++checked;
      }
  }
  CHECK(checked == 70 * 45 + 2 * 35 * 23);
}

TEST_CASE("a zero field predicts the reference itself; bad fields are refused", "[motion]") {
  const Frame ref = textured(48, 32);
  Frame pred;
  predict_picture(ref, MotionField::for_frame(48, 32), &pred);
  CHECK(pred.planes == ref.planes);
  MotionField wrong = MotionField::for_frame(64, 32);
  CHECK_THROWS_AS(predict_picture(ref, wrong, &pred), std::invalid_argument);
  MotionField far = MotionField::for_frame(48, 32);
  far.at(0, 0) = {kMaxMotionQpel + 1, 0};
  CHECK_THROWS_AS(predict_picture(ref, far, &pred), std::invalid_argument);
}

TEST_CASE("vectors are predicted from the median of their neighbours", "[motion]") {
  MotionField f = MotionField::for_frame(64, 48);  // 3 x 4 blocks
  f.at(0, 0) = {4, 0};
  f.at(0, 1) = {8, -4};
  f.at(0, 2) = {-12, 40};
  f.at(1, 0) = {0, 4};
  CHECK(predicted_vector(f, 0, 0) == MotionVector{0, 0});
  CHECK(predicted_vector(f, 0, 1) == MotionVector{4, 0});          // first row: the left one
  CHECK(predicted_vector(f, 1, 1) == MotionVector{0, 4});          // median of (0,4), (8,-4), (-12,40)
  CHECK(predicted_vector(f, 1, 0) == MotionVector{4, 0});          // left outside: zero, top, top-right
  CHECK(predicted_vector(f, 1, 3) == MotionVector{0, 0});          // top-right outside: top-left instead
}

TEST_CASE("the search finds whole- and sub-pixel motion of a textured picture", "[motion]") {
  const int w = 128, h = 96;
  const Frame ref = textured(w, h);
  SECTION("whole pixels") {
    const Frame cur = textured(w, h, 5, -3);  // content moved right 5, up 3
    const MotionField f = estimate_motion(cur, ref, MotionSearchOptions{});
    int exact = 0;
    for (int r = 1; r + 1 < f.rows; ++r)
      for (int c = 1; c + 1 < f.cols; ++c) exact += f.at(r, c) == MotionVector{-20, 12};
    CHECK(exact == (f.rows - 2) * (f.cols - 2));
  }
  SECTION("quarter pixels, made by the prediction rule itself") {
    MotionField truth = MotionField::for_frame(w, h);
    for (auto& v : truth.vectors) v = {-7, 10};
    Frame cur;
    predict_picture(ref, truth, &cur);
    const MotionField f = estimate_motion(cur, ref, MotionSearchOptions{});
    Frame pred;
    predict_picture(ref, f, &pred);
    int exact = 0;
    for (int r = 1; r + 1 < f.rows; ++r)
      for (int c = 1; c + 1 < f.cols; ++c) exact += f.at(r, c) == MotionVector{-7, 10};
    CHECK(exact == (f.rows - 2) * (f.cols - 2));
    CHECK(pred.planes[0] == cur.planes[0]);
  }
  SECTION("without sub-pixel refinement, whole pixels only") {
    MotionSearchOptions o;
    o.subpixel = false;
    const MotionField f = estimate_motion(textured(w, h, 2, 1), ref, o);
    for (const MotionVector& v : f.vectors) CHECK((v.x % 4 == 0 && v.y % 4 == 0));
  }
}

TEST_CASE("vector bits are those of signed Exp-Golomb codes", "[motion]") {
  CHECK(vector_bits({0, 0}) == 2);
  CHECK(vector_bits({1, 0}) == 4);
  CHECK(vector_bits({-1, 2}) == 3 + 5);
  CHECK(vector_bits({-2, 3}) == 5 + 5);
  CHECK(vector_bits({4, 0}) == 7 + 1);
}

TEST_CASE("motion fields: 4.x reads one rANS lane, 3.x as many as the length gives", "[motion]") {
  // 40 x 20 blocks: 1600 symbols, eight lanes under the 3.x rule.
  MotionField field = MotionField::for_frame(640, 320);
  for (size_t i = 0; i < field.vectors.size(); ++i) field.vectors[i] = {int32_t(i % 9) - 4, int32_t(i % 5) - 2};
  std::vector<uint8_t> one_lane;
  append_motion_field(field, &one_lane);
  MotionField back = MotionField::for_frame(640, 320);
  size_t used = 0;
  REQUIRE(read_motion_field(one_lane.data(), one_lane.size(), true, &back, &used).ok());
  CHECK(used == one_lane.size());
  CHECK(back.vectors == field.vectors);
  CHECK_FALSE(read_motion_field(one_lane.data(), one_lane.size(), false, &back, &used).ok());
  // The same field as a 3.x writer made it: the scales, then eight lanes.
  const std::vector<int32_t> d = vector_differences(field);
  std::vector<int32_t> idx(d.size());
  for (size_t i = 0; i < d.size(); ++i) idx[i] = one_lane[i & 1];
  std::vector<uint8_t> lanes, old = {one_lane[0], one_lane[1]};
  REQUIRE(entropy::enc_rans(gaussian_tables(), d.data(), idx.data(), d.size(), &lanes).ok());
  bitstream::append_substream(lanes.data(), lanes.size(), &old);
  CHECK(old.size() > one_lane.size() + 24);  // seven more lane states, partly filled
  back = MotionField::for_frame(640, 320);
  REQUIRE(read_motion_field(old.data(), old.size(), false, &back, &used).ok());
  CHECK(back.vectors == field.vectors);
}
