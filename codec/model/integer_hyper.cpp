#include "model/integer_hyper.h"

#include <cstdint>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <thread>

namespace vaec::model {

namespace {

constexpr int64_t kActivationLimit = int64_t(1) << 30;

// Activations are kept height x width x channels so the inner loops run over contiguous
// channels.
struct Hwc {
  int h = 0, w = 0, c = 0;
  std::vector<int32_t> v;
};

// Output rows [row_begin, row_end) of one layer. Integer arithmetic gives the same result
// whatever the instruction set or the split into rows, so this is built for several ISAs
// (picked at load time) and rows may be shared among threads, purely for speed.
__attribute__((target_clones("avx512f", "avx2", "default")))
void conv_rows(const Hwc& x, const IntegerConvLayer& L, Hwc& y, int row_begin, int row_end) {
  const int pad = L.kernel / 2;
  const int64_t round = L.shift > 0 ? int64_t(1) << (L.shift - 1) : 0;
  std::vector<int64_t> acc(size_t(L.out));
  for (int i = row_begin; i < row_end; ++i)
    for (int j = 0; j < x.w; ++j) {
      for (int o = 0; o < L.out; ++o) acc[o] = L.bias[o];
      for (int ki = 0; ki < L.kernel; ++ki) {
        const int si = i + ki - pad;
        if (si < 0 || si >= x.h) continue;
        for (int kj = 0; kj < L.kernel; ++kj) {
          const int sj = j + kj - pad;
          if (sj < 0 || sj >= x.w) continue;
          const int32_t* a = &x.v[(size_t(si) * x.w + sj) * x.c];
          const int32_t* wk = &L.weight[size_t(ki * L.kernel + kj) * L.in * L.out];
          for (int c = 0; c < L.in; ++c) {
            const int64_t av = a[c];
            if (av == 0) continue;  // ReLU outputs are sparse
            const int32_t* wr = wk + size_t(c) * L.out;
            for (int o = 0; o < L.out; ++o) acc[o] += av * wr[o];
          }
        }
      }
      int32_t* out = &y.v[(size_t(i) * x.w + j) * L.out];
      for (int o = 0; o < L.out; ++o) {
        const int64_t r = (acc[o] + round) >> L.shift;  // arithmetic shift: floor
        out[o] = int32_t(std::clamp(r, -kActivationLimit, kActivationLimit));
      }
    }
}

Hwc conv(const Hwc& x, const IntegerConvLayer& L, int threads) {
  Hwc y{x.h, x.w, L.out, std::vector<int32_t>(size_t(x.h) * x.w * L.out)};
  threads = std::clamp(threads, 1, x.h);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(conv_rows, std::cref(x), std::cref(L), std::ref(y), x.h * t / threads,
                      x.h * (t + 1) / threads);
  conv_rows(x, L, y, 0, x.h / threads);
  for (auto& th : pool) th.join();
  return y;
}

// torch.pixel_shuffle: channel c*r*r + di*r + dj -> channel c at (i*r + di, j*r + dj).
Hwc pixel_shuffle(const Hwc& x, int r) {
  const int c_out = x.c / (r * r);
  Hwc y{x.h * r, x.w * r, c_out, std::vector<int32_t>(x.v.size())};
  for (int i = 0; i < x.h; ++i)
    for (int j = 0; j < x.w; ++j)
      for (int c = 0; c < c_out; ++c)
        for (int di = 0; di < r; ++di)
          for (int dj = 0; dj < r; ++dj)
            y.v[(size_t(i * r + di) * y.w + (j * r + dj)) * c_out + c] =
                x.v[(size_t(i) * x.w + j) * x.c + (c * r + di) * r + dj];
  return y;
}

}  // namespace

IntegerHyperSynthesis::IntegerHyperSynthesis(std::vector<IntegerConvLayer> layers)
    : layers_(std::move(layers)) {
  if (layers_.empty()) throw std::invalid_argument("integer h_s: no layers");
  int channels = layers_.front().in;
  for (const auto& L : layers_) {
    if (L.in != channels || L.out <= 0 || L.kernel <= 0 || L.kernel % 2 == 0 || L.shift < 0 ||
        L.shift > 24 || L.upscale < 1 || L.out % (L.upscale * L.upscale) != 0 ||
        L.weight.size() != size_t(L.kernel) * L.kernel * L.in * L.out ||
        L.bias.size() != size_t(L.out))
      throw std::invalid_argument("integer h_s: inconsistent layer");
    // Bounds that keep every int64 sum exact for any input (activations are clamped to 2^30):
    // |w| < 2^16 and at most 2^15 products per output give |sum| < 2^61, bias included.
    if (int64_t(L.kernel) * L.kernel * L.in > (int64_t(1) << 15))
      throw std::invalid_argument("integer h_s: layer too wide");
    for (int32_t w : L.weight)
      if (w <= -(1 << 16) || w >= (1 << 16)) throw std::invalid_argument("integer h_s: weight out of range");
    for (int32_t b : L.bias)
      if (b == INT32_MIN) throw std::invalid_argument("integer h_s: bias out of range");
    channels = L.out / (L.upscale * L.upscale);
  }
  if (channels % 2 != 0) throw std::invalid_argument("integer h_s: odd output channel count");
}

int IntegerHyperSynthesis::out_channels() const {
  const auto& L = layers_.back();
  return L.out / (L.upscale * L.upscale);
}

int IntegerHyperSynthesis::upscale() const {
  int r = 1;
  for (const auto& L : layers_) r *= L.upscale;
  return r;
}

HyperParams IntegerHyperSynthesis::run(const int32_t* z, int h, int w, int threads) const {
  if (h <= 0 || w <= 0 || layers_.empty()) throw std::invalid_argument("integer h_s: empty input");
  Hwc x{h, w, in_channels(), std::vector<int32_t>(size_t(h) * w * in_channels())};
  for (int c = 0; c < x.c; ++c)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) {
        // Hyper-latents are small integers; clamp so the shift cannot overflow.
        const int64_t v = std::clamp<int64_t>(z[(size_t(c) * h + i) * w + j], -(1 << 18), 1 << 18);
        x.v[(size_t(i) * w + j) * x.c + c] = int32_t(v * (int64_t(1) << kActivationFracBits));
      }
  for (const auto& L : layers_) {
    x = conv(x, L, threads);
    if (L.upscale > 1) x = pixel_shuffle(x, L.upscale);
    if (L.relu)
      for (auto& v : x.v) v = std::max(v, 0);
  }
  HyperParams p;
  p.channels = x.c / 2;
  p.height = x.h;
  p.width = x.w;
  const size_t plane = size_t(x.h) * x.w;
  p.mean_q.resize(plane * p.channels);
  p.scale_q16.resize(plane * p.channels);
  constexpr int kToQ16 = 16 - kActivationFracBits;
  for (int c = 0; c < p.channels; ++c)
    for (size_t s = 0; s < plane; ++s) {
      p.mean_q[c * plane + s] = x.v[s * x.c + c];
      const int32_t sc = std::max(x.v[s * x.c + p.channels + c], 0);
      p.scale_q16[c * plane + s] = sc >= (INT32_MAX >> kToQ16) ? INT32_MAX : sc << kToQ16;
    }
  return p;
}

}  // namespace vaec::model
