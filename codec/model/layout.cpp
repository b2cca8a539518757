#include "model/layout.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace vaec::model {

at::Tensor frame_to_tensor(const Frame& frame) {
  if (frame.width <= 0 || frame.height <= 0) throw std::invalid_argument("frame_to_tensor: empty frame");
  const int cw = Frame::chroma_extent(frame.width), ch = Frame::chroma_extent(frame.height);
  at::Tensor t = at::empty({1, 6, ch, cw}, at::kFloat);
  float* out = t.data_ptr<float>();
  const size_t plane = size_t(cw) * size_t(ch);
  const uint8_t* Y = frame.planes[0].data();
  const float s = 1.0f / 255.0f;
  for (int y = 0; y < ch; ++y) {
    for (int dy = 0; dy < 2; ++dy) {
      const int sy = std::min(2 * y + dy, frame.height - 1);
      const uint8_t* row = Y + size_t(sy) * size_t(frame.width);
      for (int x = 0; x < cw; ++x) {
        for (int dx = 0; dx < 2; ++dx) {
          const int sx = std::min(2 * x + dx, frame.width - 1);
          out[size_t(2 * dy + dx) * plane + size_t(y) * cw + x] = row[sx] * s - 0.5f;
        }
      }
    }
  }
  for (int p = 1; p < 3; ++p) {
    const uint8_t* src = frame.planes[p].data();
    float* dst = out + size_t(3 + p) * plane;
    for (size_t i = 0; i < plane; ++i) dst[i] = src[i] * s - 0.5f;
  }
  return t;
}

static uint8_t to_u8(float v) {
  const float x = std::nearbyint((v + 0.5f) * 255.0f);
  return uint8_t(std::clamp(x, 0.0f, 255.0f));
}

Frame tensor_to_frame(const at::Tensor& tensor, int width, int height) {
  const int cw = Frame::chroma_extent(width), ch = Frame::chroma_extent(height);
  if (tensor.dim() != 4 || tensor.size(0) != 1 || tensor.size(1) != 6 || tensor.size(2) < ch ||
      tensor.size(3) < cw)
    throw std::invalid_argument("tensor_to_frame: tensor does not cover the frame");
  at::Tensor t = tensor.to(at::kFloat).contiguous();
  const int64_t tw = t.size(3);
  const size_t plane = size_t(t.size(2)) * size_t(tw);
  const float* in = t.data_ptr<float>();
  Frame f;
  f.allocate(width, height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int c = 2 * (y & 1) + (x & 1);
      f.planes[0][size_t(y) * width + x] = to_u8(in[c * plane + size_t(y / 2) * tw + x / 2]);
    }
  for (int p = 1; p < 3; ++p)
    for (int y = 0; y < ch; ++y)
      for (int x = 0; x < cw; ++x)
        f.planes[p][size_t(y) * cw + x] = to_u8(in[(3 + p) * plane + size_t(y) * tw + x]);
  return f;
}

at::Tensor pad_to_multiple(const at::Tensor& x, int64_t multiple) {
  const int64_t h = x.size(2), w = x.size(3);
  const int64_t ph = (multiple - h % multiple) % multiple, pw = (multiple - w % multiple) % multiple;
  if (ph == 0 && pw == 0) return x;
  // Replicate padding via index_select keeps this independent of the functional API version.
  at::Tensor rows = at::arange(h + ph, at::kLong).clamp_max(h - 1);
  at::Tensor cols = at::arange(w + pw, at::kLong).clamp_max(w - 1);
  return x.index_select(2, rows).index_select(3, cols);
}

}  // namespace vaec::model
