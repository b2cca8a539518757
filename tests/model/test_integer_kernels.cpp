// The integer synthesis without LibTorch (and so under the sanitizers of scripts/sanitize.sh
// --quick): random parameters over their whole legal ranges, pictures compared with a second,
// deliberately naive implementation written from docs/bitstream.md §9 alone, at every
// instruction-set level and thread count this machine has; extreme values (saturation, sums
// that wrap modulo 2^32) included.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "model/integer_synthesis.h"

using namespace vaec;
using namespace vaec::model;

namespace {

// ---- The specification, transcribed (docs/bitstream.md §9) ----

int64_t rshift(int64_t v, int s) { return (v + (int64_t(1) << (s - 1))) >> s; }
int64_t clampi(int64_t v, int64_t lo, int64_t hi) { return std::min(hi, std::max(lo, v)); }
int32_t wrap32(int64_t v) { return int32_t(uint32_t(uint64_t(v))); }
uint64_t isqrt_reference(uint64_t n) {  // bit by bit, no floating point
  uint64_t r = 0;
  for (int b = 31; b >= 0; --b) {
    const uint64_t t = r | (uint64_t(1) << b);
    if (t * t <= n) r = t;
  }
  return r;
}

using Planes = std::vector<std::vector<int64_t>>;  // [channel][h * w]

Planes conv_spec(const Planes& x, int h, int w, const IntegerSubPixelConv& c, bool pixels) {
  const int C = c.out / 4;
  Planes out(size_t(C), std::vector<int64_t>(size_t(4) * h * w));
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j)
      for (int o = 0; o < c.out; ++o) {
        int64_t acc = c.bias[o];
        for (int n = 0; n < c.in; ++n)
          for (int dy = 0; dy < 3; ++dy)
            for (int dx = 0; dx < 3; ++dx) {
              const int y = i + dy - 1, xx = j + dx - 1;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              acc = wrap32(acc + int64_t(c.weight[((size_t(o) * c.in + n) * 3 + dy) * 3 + dx]) * x[n][size_t(y) * w + xx]);
            }
        const int64_t v = pixels ? clampi(rshift(acc, c.shift[o]), 0, 255) : clampi(rshift(acc, c.shift[o]), -32767, 32767);
        const int phase = o / C, ch = o % C;
        out[ch][size_t(2 * i + phase / 2) * 2 * w + 2 * j + phase % 2] = v;
      }
  return out;
}

void igdn_spec(Planes* x, const IntegerIgdn& g) {
  const size_t n = (*x)[0].size();
  const int C = g.channels;
  for (size_t p = 0; p < n; ++p) {
    std::vector<int64_t> in(C);
    for (int c = 0; c < C; ++c) in[c] = (*x)[c][p];
    for (int c = 0; c < C; ++c) {
      int64_t norm = g.beta[c];
      for (int k = 0; k < C; ++k) norm += int64_t(g.gamma[size_t(c) * C + k]) * in[k] * in[k];
      const int64_t r = int64_t(isqrt_reference(uint64_t(std::max<int64_t>(norm, 0))));
      (*x)[c][p] = clampi(rshift(in[c] * r, g.shift[c]), -32767, 32767);
    }
  }
}

// The whole picture at half resolution, 6 planes of (8h) x (8w) samples.
Planes synthesis_spec(const IntegerSynthesisParams& P, const std::vector<int64_t>& Y, int h, int w, int q) {
  Planes a(size_t(P.latent_channels), std::vector<int64_t>(size_t(h) * w));
  const int64_t lim = (int64_t(1) << 31) - 1;
  for (int c = 0; c < P.latent_channels; ++c)
    for (int k = 0; k < h * w; ++k)
      a[c][k] = clampi(rshift(clampi(Y[size_t(c) * h * w + k], -lim, lim) * P.inverse_gain[size_t(q - 1) * P.latent_channels + c],
                              P.input_shift),
                       -32767, 32767);
  Planes b = conv_spec(a, h, w, P.conv[0], false);
  igdn_spec(&b, P.igdn[0]);
  Planes c = conv_spec(b, 2 * h, 2 * w, P.conv[1], false);
  igdn_spec(&c, P.igdn[1]);
  return conv_spec(c, 4 * h, 4 * w, P.conv[2], true);
}

// ---- Random parameters ----

// `scale` sets how large weights and activations get: 1 is the exporter's kind of range,
// larger values drive activations into saturation and sums past 2^31.
IntegerSynthesisParams random_params(std::mt19937& rng, int M, int S, double scale) {
  IntegerSynthesisParams p;
  p.latent_channels = M;
  p.hidden_channels = S;
  std::uniform_int_distribution<int> gain(1 << 18, 1 << 21);
  for (int i = 0; i < kSynthesisQualities * M; ++i) p.inverse_gain.push_back(gain(rng));
  p.input_shift = 22;
  const int ins[3] = {M, S, S}, outs[3] = {4 * S, 4 * S, 24};
  for (int l = 0; l < 3; ++l) {
    IntegerSubPixelConv& c = p.conv[l];
    c.in = ins[l];
    c.out = outs[l];
    std::normal_distribution<double> w(0, 2000 * scale);
    for (int i = 0; i < c.out * c.in * 9; ++i) c.weight.push_back(int16_t(std::clamp(std::lround(w(rng)), -32767L, 32767L)));
    std::uniform_int_distribution<int> bias(-(1 << 20), 1 << 20), shift(l == 2 ? 14 : 10, l == 2 ? 20 : 15);
    for (int o = 0; o < c.out; ++o) {
      c.bias.push_back(bias(rng));
      c.shift.push_back(uint8_t(shift(rng)));
    }
  }
  for (int l = 0; l < 2; ++l) {
    IntegerIgdn& g = p.igdn[l];
    g.channels = S;
    std::uniform_int_distribution<int> gamma(0, 32767), shift(20, 30);
    std::uniform_int_distribution<int64_t> beta(0, int64_t(1) << 40);
    for (int i = 0; i < S * S; ++i) g.gamma.push_back(int16_t(gamma(rng)));
    for (int c = 0; c < S; ++c) {
      g.beta.push_back(beta(rng));
      g.shift.push_back(uint8_t(shift(rng)));
    }
  }
  return p;
}

std::vector<CpuLevel> available_levels() {
  std::vector<CpuLevel> levels{CpuLevel::kGeneric};
  if (int(detected_cpu_level()) >= int(CpuLevel::kAvx2)) levels.push_back(CpuLevel::kAvx2);
  if (detected_cpu_level() == CpuLevel::kAvx512) levels.push_back(CpuLevel::kAvx512);
  return levels;
}

}  // namespace

TEST_CASE("isqrt64 agrees with a bit-by-bit square root", "[integer]") {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t n = rng() >> (rng() % 63 + 1);  // < 2^63
    REQUIRE(isqrt64(n) == isqrt_reference(n));
  }
}

TEST_CASE("every level and thread count computes what the specification says", "[integer]") {
  std::mt19937 rng(1234);
  struct Case {
    int M, S, h, w;
    double scale;
  };
  // Channel counts cover the kernels' 8-, 16- and 32-output paths; scale 8 saturates and wraps.
  for (const Case& k : {Case{8, 8, 3, 5, 1.0}, Case{6, 16, 2, 3, 1.0}, Case{10, 24, 3, 4, 1.0}, Case{4, 8, 2, 2, 8.0}}) {
    const IntegerSynthesis synthesis(random_params(rng, k.M, k.S, k.scale));
    std::uniform_int_distribution<int64_t> latent(-40 * 1024, 40 * 1024);
    std::vector<int64_t> Y(size_t(k.M) * k.h * k.w);
    for (auto& v : Y) v = latent(rng);
    Y[0] = int64_t(1) << 40;  // beyond the input clamp
    const int q = 1 + int(rng() % 100);
    const Planes spec = synthesis_spec(synthesis.params(), Y, k.h, k.w, q);
    const int width = 16 * k.w - 3, height = 16 * k.h - 5;  // odd: the last samples are cropped
    for (CpuLevel level : available_levels())
      for (int threads : {1, 2, 3}) {
        Frame f;
        f.allocate(width, height);
        const IntegerSynthesis::Region all{0, k.h, 0, k.w};
        synthesis.run(Y.data(), k.h, k.w, all, all, q, level, threads, &f);
        INFO("M " << k.M << " S " << k.S << " scale " << k.scale << ", " << cpu_level_name(level) << ", " << threads
                  << " threads");
        const int pw = 8 * k.w;
        for (int y = 0; y < height; ++y)
          for (int x = 0; x < width; ++x)
            REQUIRE(f.planes[0][size_t(y) * width + x] == spec[size_t(2 * (y % 2) + x % 2)][size_t(y / 2) * pw + x / 2]);
        const int cw = Frame::chroma_extent(width), ch = Frame::chroma_extent(height);
        for (int p = 1; p < 3; ++p)
          for (int y = 0; y < ch; ++y)
            for (int x = 0; x < cw; ++x) REQUIRE(f.planes[p][size_t(y) * cw + x] == spec[size_t(3 + p)][size_t(y) * pw + x]);
      }
  }
}

TEST_CASE("the synthesis refuses bad calls", "[integer]") {
  std::mt19937 rng(5);
  const IntegerSynthesis synthesis(random_params(rng, 4, 8, 1.0));
  std::vector<int64_t> Y(4 * 2 * 2, 0);
  Frame f;
  f.allocate(32, 32);
  const IntegerSynthesis::Region all{0, 2, 0, 2};
  CHECK_THROWS_AS(synthesis.run(Y.data(), 2, 2, {0, 3, 0, 2}, all, 50, CpuLevel::kGeneric, 1, &f), std::invalid_argument);
  CHECK_THROWS_AS(synthesis.run(Y.data(), 2, 2, {0, 1, 0, 2}, all, 50, CpuLevel::kGeneric, 1, &f), std::invalid_argument);
  CHECK_THROWS_AS(synthesis.run(Y.data(), 2, 2, all, all, 0, CpuLevel::kGeneric, 1, &f), std::invalid_argument);
  CHECK_THROWS_AS(synthesis.run(Y.data(), 2, 2, all, all, 101, CpuLevel::kGeneric, 1, &f), std::invalid_argument);
  CHECK_THROWS_AS(IntegerSynthesis().run(Y.data(), 2, 2, all, all, 50, CpuLevel::kGeneric, 1, &f), std::logic_error);
}
