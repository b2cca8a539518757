#include "model/layout.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <ATen/Parallel.h>

namespace vaec::model {

at::Tensor frame_to_tensor(const Frame& frame) {
  // Multiple 1: no padding; NCHW as the training crops have always been.
  return frame_to_padded_tensor(frame, 1).contiguous();
}

at::Tensor frame_to_padded_tensor(const Frame& frame, int64_t multiple) {
  if (frame.width <= 0 || frame.height <= 0) throw std::invalid_argument("frame_to_padded_tensor: empty frame");
  if (multiple <= 0) throw std::invalid_argument("frame_to_padded_tensor: bad multiple");
  const int cw = Frame::chroma_extent(frame.width), ch = Frame::chroma_extent(frame.height);
  const int64_t pw = (cw + multiple - 1) / multiple * multiple, ph = (ch + multiple - 1) / multiple * multiple;
  at::Tensor t = at::empty({1, 6, ph, pw}, at::TensorOptions(at::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
  float* out = t.data_ptr<float>();
  const float s = 1.0f / 255.0f;
  // Rows are independent copies: any split over threads gives the same tensor.
  at::parallel_for(0, ph, 16, [&](int64_t begin, int64_t end) {
    for (int64_t py = begin; py < end; ++py) {
      const int y = int(std::min<int64_t>(py, ch - 1));  // replicate padding
      const uint8_t* luma[2];
      for (int dy = 0; dy < 2; ++dy)
        luma[dy] = frame.planes[0].data() + size_t(std::min(2 * y + dy, frame.height - 1)) * size_t(frame.width);
      const uint8_t* u = frame.planes[1].data() + size_t(y) * cw;
      const uint8_t* v = frame.planes[2].data() + size_t(y) * cw;
      float* row = out + size_t(py) * size_t(pw) * 6;
      for (int64_t px = 0; px < pw; ++px) {
        const int x = int(std::min<int64_t>(px, cw - 1));
        const int x0 = std::min(2 * x, frame.width - 1), x1 = std::min(2 * x + 1, frame.width - 1);
        float* o = row + size_t(px) * 6;
        o[0] = luma[0][x0] * s - 0.5f;  // luma phase (dy, dx) is channel 2*dy + dx
        o[1] = luma[0][x1] * s - 0.5f;
        o[2] = luma[1][x0] * s - 0.5f;
        o[3] = luma[1][x1] * s - 0.5f;
        o[4] = u[x] * s - 0.5f;
        o[5] = v[x] * s - 0.5f;
      }
    }
  });
  return t;
}

// Clamps, then rounds half to even as nearbyint() does, without its libm call so the loops
// vectorise: adding and subtracting 1.5 * 2^23 leaves the nearest integer for 0 <= x <= 255.
// (Clamping first gives the same bytes as rounding first; NaN becomes 0.)
static uint8_t to_u8(float v) {
  const float x = std::max(0.0f, std::min((v + 0.5f) * 255.0f, 255.0f));
  constexpr float kRoundingMagic = 12582912.0f;
  return uint8_t((x + kRoundingMagic) - kRoundingMagic);
}

// Luma samples [x_begin, x_end) of one row from the two half-resolution channels holding its
// even and odd columns (NCHW rows, unit stride); `even`/`odd` point at column col0.
static void write_luma_row(const float* even, const float* odd, int col0, int x_begin, int x_end, uint8_t* out) {
  int x = x_begin;
  for (; x + 1 < x_end; x += 2) {
    out[x] = to_u8(even[x / 2 - col0]);
    out[x + 1] = to_u8(odd[x / 2 - col0]);
  }
  if (x < x_end) out[x] = to_u8(even[x / 2 - col0]);
}

void write_tensor_region(const at::Tensor& tensor, int row0, int col0, Frame* frame) {
  if (tensor.dim() != 4 || tensor.size(0) != 1 || tensor.size(1) != 6 || row0 < 0 || col0 < 0)
    throw std::invalid_argument("write_tensor_region: not a [1, 6, h, w] tensor at a valid position");
  at::Tensor t = tensor.to(at::kFloat);
  // The synthesis output is channels-last: read it through its strides rather than copying.
  if (!t.is_contiguous() && !t.is_contiguous(at::MemoryFormat::ChannelsLast)) t = t.contiguous();
  const int th = int(t.size(2)), tw = int(t.size(3));
  const int64_t sc = t.stride(1), sy = t.stride(2), sx = t.stride(3);
  const float* in = t.data_ptr<float>();
  const int width = frame->width, height = frame->height;
  // Luma rows/columns this region covers, clipped to the frame (padding is cropped).
  const int y_end = std::min(height, 2 * (row0 + th)), x_end = std::min(width, 2 * (col0 + tw));
  const int cw = Frame::chroma_extent(width), ch = Frame::chroma_extent(height);
  const int cy_end = std::min(ch, row0 + th), cx_end = std::min(cw, col0 + tw);
  // One half-resolution row (two luma rows, one row of U and V) per step; rows are independent.
  at::parallel_for(row0, cy_end, 8, [&](int64_t begin, int64_t end) {
    for (int64_t cy = begin; cy < end; ++cy) {
      for (int y = int(2 * cy); y < std::min<int>(int(2 * cy + 2), y_end); ++y) {
        uint8_t* out = frame->planes[0].data() + size_t(y) * width;
        const float* src = in + 2 * (y & 1) * sc + int64_t(y / 2 - row0) * sy;
        if (sx == 1)
          write_luma_row(src, src + sc, col0, 2 * col0, x_end, out);
        else
          for (int x = 2 * col0; x < x_end; ++x) out[x] = to_u8(src[(x & 1) * sc + int64_t(x / 2 - col0) * sx]);
      }
      for (int p = 1; p < 3; ++p) {
        uint8_t* out = frame->planes[p].data() + size_t(cy) * cw;
        const float* src = in + (3 + p) * sc + int64_t(cy - row0) * sy;
        if (sx == 1)
          for (int x = col0; x < cx_end; ++x) out[x] = to_u8(src[x - col0]);
        else
          for (int x = col0; x < cx_end; ++x) out[x] = to_u8(src[int64_t(x - col0) * sx]);
      }
    }
  });
}

Frame tensor_to_frame(const at::Tensor& tensor, int width, int height) {
  const int cw = Frame::chroma_extent(width), ch = Frame::chroma_extent(height);
  if (tensor.dim() != 4 || tensor.size(0) != 1 || tensor.size(1) != 6 || tensor.size(2) < ch ||
      tensor.size(3) < cw)
    throw std::invalid_argument("tensor_to_frame: tensor does not cover the frame");
  Frame f;
  f.allocate(width, height);
  write_tensor_region(tensor, 0, 0, &f);
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
