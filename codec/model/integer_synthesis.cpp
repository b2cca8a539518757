#include "model/integer_synthesis.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>

namespace vaec::model {

static_assert((int64_t(-3) >> 1) == -2, "the specification's >> is an arithmetic (floor) shift");

namespace {

constexpr int kPixelChannels = 6;  // model/layout.h: 4 luma phases, U, V

// floor((v + 2^(s-1)) / 2^s) clamped to [lo, hi]: the one rounding rule of every layer.
inline int32_t round_shift_clamp(int64_t v, int s, int32_t lo, int32_t hi) {
  const int64_t r = (v + (int64_t(1) << (s - 1))) >> s;
  return int32_t(std::clamp<int64_t>(r, lo, hi));
}

// A rectangle of activations, channels last, with a border of one zero sample on every side
// (the zero padding of the next 3x3 convolution).
struct Activations {
  int h = 0, w = 0, c = 0;
  std::vector<int16_t> data;
  Activations(int h_, int w_, int c_) : h(h_), w(w_), c(c_), data(size_t(h + 2) * size_t(w + 2) * size_t(c), 0) {}
  ptrdiff_t row_stride() const { return ptrdiff_t(w + 2) * c; }
  int16_t* at(int y, int x) { return data.data() + (y + 1) * row_stride() + ptrdiff_t(x + 1) * c; }
  const int16_t* padded_row(int y) const { return data.data() + y * row_stride(); }  // y = -1 + 1 .. h + 1
};

// Runs fn(begin, end) over [0, n) on up to `threads` threads. Results never depend on the split.
template <typename Fn>
void parallel_rows(int n, int threads, Fn fn) {
  threads = std::clamp(threads, 1, std::max(1, n / 2));
  if (threads == 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(fn, n * t / threads, n * (t + 1) / threads);
  fn(0, n / threads);
  for (auto& th : pool) th.join();
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("integer synthesis: " + what);
}

void check_conv(const IntegerSubPixelConv& c, int in, int out, const std::string& name) {
  check(c.in == in && c.out == out, name + " has " + std::to_string(c.in) + " -> " + std::to_string(c.out) +
                                        " channels, expected " + std::to_string(in) + " -> " + std::to_string(out));
  check(c.weight.size() == size_t(out) * size_t(in) * 9 && c.bias.size() == size_t(out) && c.shift.size() == size_t(out),
        name + " has tensors of the wrong size");
  for (int16_t w : c.weight) check(w >= -kActivationMax, name + " has a weight of -32768");
  for (uint8_t s : c.shift) check(s >= 1 && s <= 24, name + " has a shift outside 1..24");
}

void check_igdn(const IntegerIgdn& g, int channels, const std::string& name) {
  check(g.channels == channels, name + " has the wrong channel count");
  check(g.gamma.size() == size_t(channels) * channels && g.beta.size() == size_t(channels) &&
            g.shift.size() == size_t(channels),
        name + " has tensors of the wrong size");
  for (int16_t v : g.gamma) check(v >= 0, name + " has a negative gamma");
  for (int64_t v : g.beta) check(v >= 0 && v < (int64_t(1) << 56), name + " has a beta outside 0..2^56");
  for (uint8_t s : g.shift) check(s >= 1 && s <= 62, name + " has a shift outside 1..62");
}

// [out][in][k][k] -> [k*k][in][out], or with pairs of inputs interleaved: [k*k][in/2][out][2].
std::vector<int16_t> pack(const std::vector<int16_t>& w, int in, int out, int k, bool pairs) {
  std::vector<int16_t> p(w.size());
  for (int o = 0; o < out; ++o)
    for (int i = 0; i < in; ++i)
      for (int t = 0; t < k * k; ++t) {
        const int16_t v = w[(size_t(o) * in + i) * k * k + t];
        const size_t dst = pairs ? ((size_t(t) * (in / 2) + i / 2) * out + o) * 2 + i % 2 : (size_t(t) * in + i) * out + o;
        p[dst] = v;
      }
  return p;
}

}  // namespace

uint32_t isqrt64(uint64_t n) {
  uint64_t r = uint64_t(std::sqrt(double(n)));  // within 1 of the answer; corrected exactly below
  r = std::min<uint64_t>(r, 0xFFFFFFFFu);
  while (r * r > n) --r;
  while (r < 0xFFFFFFFFu && (r + 1) * (r + 1) <= n) ++r;
  return uint32_t(r);
}

IntegerSynthesis::IntegerSynthesis(IntegerSynthesisParams p) : params_(std::move(p)) {
  const int M = params_.latent_channels, S = params_.hidden_channels;
  check(M > 0 && M % 2 == 0 && M <= 4096, "latent channels must be even, 2..4096");
  check(S > 0 && S % 8 == 0 && S <= 1024, "hidden channels must be a multiple of 8, up to 1024");
  check(params_.inverse_gain.size() == size_t(kSynthesisQualities) * M, "inverse-gain table has the wrong size");
  for (int32_t g : params_.inverse_gain) check(g >= 1 && g <= (1 << 30), "inverse gain outside 1..2^30");
  check(params_.input_shift >= 1 && params_.input_shift <= 40, "input shift outside 1..40");
  check_conv(params_.conv[0], M, 4 * S, "conv1");
  check_conv(params_.conv[1], S, 4 * S, "conv2");
  check_conv(params_.conv[2], S, 4 * kPixelChannels, "conv3");
  check_igdn(params_.igdn[0], S, "IGDN 1");
  check_igdn(params_.igdn[1], S, "IGDN 2");
  for (int i = 0; i < 3; ++i) {
    const auto& c = params_.conv[i];
    conv_[i] = {pack(c.weight, c.in, c.out, 3, false), pack(c.weight, c.in, c.out, 3, true)};
    conv_shift_[i].assign(c.shift.begin(), c.shift.end());
  }
  for (int i = 0; i < 2; ++i) {
    const auto& g = params_.igdn[i];
    // gamma [C][C] is a 1x1 convolution's [out][in] weight.
    const std::vector<int16_t> t = pack(g.gamma, g.channels, g.channels, 1, false);  // [in][out]
    gamma_[i].assign(t.begin(), t.end());
  }
}

namespace {

struct Step {
  ConvRowKernel kernel;
  IgdnRowKernel igdn;
  bool pairs;
  int threads;
};

// conv + shuffle: `src` (h x w x in) -> `dst` (2h x 2w x out/4), or 8-bit samples for the last.
void sub_pixel_conv(const Activations& src, const IntegerSubPixelConv& c, const std::vector<int16_t>& weight,
                    const std::vector<int32_t>& shift, const Step& step, Activations* dst,
                    std::vector<uint8_t>* pixels) {
  const int C = c.out / 4;
  const bool fused = step.pairs && (pixels || C % 8 == 0);
  parallel_rows(src.h, step.threads, [&](int begin, int end) {
    std::vector<int32_t> acc(size_t(src.w) * c.out);
    for (int y = begin; y < end; ++y) {
      ConvRowArgs args{src.padded_row(y), src.row_stride(), src.w, c.in, c.out, 3, weight.data(), acc.data()};
      if (fused) {
        args.bias = c.bias.data();
        args.shift = shift.data();
        for (int d = 0; d < 2; ++d) {
          if (pixels)
            args.pixels[d] = pixels->data() + size_t(2 * y + d) * 2 * src.w * C;
          else
            args.dst[d] = dst->at(2 * y + d, 0);
        }
        step.kernel(args);
        continue;
      }
      step.kernel(args);
      for (int x = 0; x < src.w; ++x) {
        const int32_t* a = acc.data() + size_t(x) * c.out;
        for (int phase = 0; phase < 4; ++phase) {
          const int oy = 2 * y + phase / 2, ox = 2 * x + phase % 2;
          for (int ch = 0; ch < C; ++ch) {
            const int o = phase * C + ch;
            const int32_t sum = int32_t(uint32_t(a[o]) + uint32_t(c.bias[o]));  // modulo 2^32
            if (pixels)
              (*pixels)[(size_t(oy) * 2 * src.w + ox) * C + ch] = uint8_t(round_shift_clamp(sum, c.shift[o], 0, 255));
            else
              dst->at(oy, ox)[ch] = int16_t(round_shift_clamp(sum, c.shift[o], -kActivationMax, kActivationMax));
          }
        }
      }
    }
  });
}

// IGDN in place of a padded activation rectangle.
void igdn(Activations* x, const IntegerIgdn& g, const std::vector<int32_t>& gamma, const Step& step) {
  const int C = g.channels;
  parallel_rows(x->h, step.threads, [&](int begin, int end) {
    std::vector<int64_t> squares(size_t(x->w) * C), norm(size_t(x->w) * C);
    for (int y = begin; y < end; ++y)
      step.igdn({x->at(y, 0), x->w, C, gamma.data(), g.beta.data(), g.shift.data(), squares.data(), norm.data()});
  });
}

Step make_step(CpuLevel cpu, int threads) {
  const CpuLevel level = resolve_cpu_level(cpu);
  return {conv_row_kernel(level), igdn_row_kernel(level), kernel_uses_pairs(level), std::max(1, threads)};
}

}  // namespace

std::vector<int16_t> IntegerSynthesis::hidden(const int64_t* y_hat_q10, int height, int width, const Region& r,
                                              int quality, CpuLevel cpu, int threads) const {
  const IntegerSynthesisParams& P = params_;
  if (empty()) throw std::logic_error("integer synthesis: no parameters");
  if (r.row0 < 0 || r.col0 < 0 || r.row1 > height || r.col1 > width || r.row0 >= r.row1 || r.col0 >= r.col1)
    throw std::invalid_argument("integer synthesis: region outside the latents");
  if (quality < 1 || quality > kSynthesisQualities) throw std::invalid_argument("integer synthesis: quality outside 1..100");
  const Step step = make_step(cpu, threads);
  auto weights = [&](const Packed& p) -> const std::vector<int16_t>& { return step.pairs ? p.pairs : p.generic; };

  const int M = P.latent_channels, S = P.hidden_channels;
  const int rh = r.row1 - r.row0, rw = r.col1 - r.col0;
  Activations a(rh, rw, M);
  const int32_t* gain = P.inverse_gain.data() + size_t(quality - 1) * M;
  const int64_t limit = (int64_t(1) << 31) - 1;
  parallel_rows(rh, step.threads, [&](int begin, int end) {
    for (int y = begin; y < end; ++y)
      for (int c = 0; c < M; ++c) {
        const int64_t* src = y_hat_q10 + (size_t(c) * height + r.row0 + y) * width + r.col0;
        for (int x = 0; x < rw; ++x) {
          const int64_t v = std::clamp(src[x], -limit, limit);
          a.at(y, x)[c] = int16_t(round_shift_clamp(v * gain[c], P.input_shift, -kActivationMax, kActivationMax));
        }
      }
  });
  Activations b(2 * rh, 2 * rw, S);
  sub_pixel_conv(a, P.conv[0], weights(conv_[0]), conv_shift_[0], step, &b, nullptr);
  igdn(&b, P.igdn[0], gamma_[0], step);
  Activations c(4 * rh, 4 * rw, S);
  sub_pixel_conv(b, P.conv[1], weights(conv_[1]), conv_shift_[1], step, &c, nullptr);
  igdn(&c, P.igdn[1], gamma_[1], step);
  return std::move(c.data);
}

void IntegerSynthesis::last_layer(const int64_t* y_hat_q10, int height, int width, int quality, CpuLevel cpu,
                                  int threads, std::vector<int16_t>* input, std::vector<int32_t>* sums) const {
  const IntegerSubPixelConv& last = params_.conv[2];
  const int S = params_.hidden_channels, O = last.out;
  Activations c(4 * height, 4 * width, S);
  c.data = hidden(y_hat_q10, height, width, {0, height, 0, width}, quality, cpu, threads);
  const Step step = make_step(cpu, threads);
  const std::vector<int16_t>& weight = step.pairs ? conv_[2].pairs : conv_[2].generic;
  input->resize(size_t(c.h) * c.w * S);
  sums->resize(size_t(c.h) * c.w * O);
  parallel_rows(c.h, step.threads, [&](int begin, int end) {
    for (int y = begin; y < end; ++y) {
      std::copy_n(c.at(y, 0), size_t(c.w) * S, input->begin() + std::ptrdiff_t(size_t(y) * c.w * S));
      int32_t* acc = sums->data() + size_t(y) * c.w * O;
      step.kernel({c.padded_row(y), c.row_stride(), c.w, S, O, 3, weight.data(), acc});
      for (int x = 0; x < c.w; ++x)
        for (int o = 0; o < O; ++o)
          acc[size_t(x) * O + o] = int32_t(uint32_t(acc[size_t(x) * O + o]) + uint32_t(last.bias[o]));  // modulo 2^32
    }
  });
}

IntegerSynthesis IntegerSynthesis::with_last_layer(IntegerSubPixelConv last) const {
  check_conv(last, params_.hidden_channels, 4 * kPixelChannels, "conv3");
  IntegerSynthesis out(*this);
  out.params_.conv[2] = std::move(last);
  const IntegerSubPixelConv& c = out.params_.conv[2];
  out.conv_[2] = {pack(c.weight, c.in, c.out, 3, false), pack(c.weight, c.in, c.out, 3, true)};
  out.conv_shift_[2].assign(c.shift.begin(), c.shift.end());
  return out;
}

void IntegerSynthesis::run(const int64_t* y_hat_q10, int height, int width, const Region& r, const Region& write,
                           int quality, CpuLevel cpu, int threads, Frame* frame) const {
  if (write.row0 < r.row0 || write.col0 < r.col0 || write.row1 > r.row1 || write.col1 > r.col1)
    throw std::invalid_argument("integer synthesis: written region outside the synthesised one");
  const int rh = r.row1 - r.row0, rw = r.col1 - r.col0;
  Activations c(4 * std::max(rh, 0), 4 * std::max(rw, 0), params_.hidden_channels);
  c.data = hidden(y_hat_q10, height, width, r, quality, cpu, threads);
  const Step step = make_step(cpu, threads);
  const IntegerSubPixelConv& last = params_.conv[2];
  const int ph = 8 * rh, pw = 8 * rw;  // half-resolution samples of the region
  std::vector<uint8_t> pixels(size_t(ph) * pw * kPixelChannels);
  sub_pixel_conv(c, last, step.pairs ? conv_[2].pairs : conv_[2].generic, conv_shift_[2], step, nullptr, &pixels);

  // Half-resolution sample (hy, hx) holds luma (2hy + dy, 2hx + dx) in channel 2dy + dx, U, V.
  const int row0 = 8 * r.row0, col0 = 8 * r.col0;  // the region's first half-resolution sample
  const int cw = Frame::chroma_extent(frame->width), ch = Frame::chroma_extent(frame->height);
  const int hy_begin = 8 * write.row0 - row0, hy_end = std::min(8 * write.row1, ch) - row0;
  const int hx_begin = 8 * write.col0 - col0, hx_end = std::min(8 * write.col1, cw) - col0;
  // Luma columns 2 * (col0 + hx) + dx that exist: whole pairs up to hx_pairs, then maybe one.
  const int hx_pairs = std::clamp(frame->width / 2 - col0, hx_begin, hx_end);
  const bool odd_column = hx_pairs < hx_end && 2 * (col0 + hx_pairs) < frame->width;
  parallel_rows(hy_end - hy_begin, step.threads, [&](int begin, int end) {
    for (int hy = hy_begin + begin; hy < hy_begin + end; ++hy) {
      const uint8_t* s = pixels.data() + size_t(hy) * pw * kPixelChannels;
      for (int dy = 0; dy < 2; ++dy) {
        const int ly = 2 * (row0 + hy) + dy;
        if (ly >= frame->height) break;
        uint8_t* out = frame->planes[0].data() + size_t(ly) * frame->width + 2 * col0;
        for (int hx = hx_begin; hx < hx_pairs; ++hx) {
          out[2 * hx] = s[hx * kPixelChannels + 2 * dy];
          out[2 * hx + 1] = s[hx * kPixelChannels + 2 * dy + 1];
        }
        if (odd_column) out[2 * hx_pairs] = s[hx_pairs * kPixelChannels + 2 * dy];
      }
      for (int p = 1; p < 3; ++p) {
        uint8_t* out = frame->planes[p].data() + size_t(row0 + hy) * cw + col0;
        for (int hx = hx_begin; hx < hx_end; ++hx) out[hx] = s[hx * kPixelChannels + 3 + p];
      }
    }
  });
}

}  // namespace vaec::model
