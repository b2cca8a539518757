// The AVX2 kernel (ConvRowKernel, model/integer_synthesis.h): vpmaddwd multiplies a pair of
// input channels, broadcast, by the pair's weights of 8 output channels and adds the two
// products (exact: both factors are within +-32767); vpaddd accumulates modulo 2^32.
// Built with -mavx2 and called only when the CPU has it: no inline library code here, so no
// AVX2 copy of a shared function can leak into the rest of the program.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "model/integer_synthesis.h"

namespace vaec::model {

namespace {

#include "model/igdn_norm_loop.inc"

// P output positions x V groups of 8 output channels starting at (x0, o0).
// floor((acc + bias + 2^(s-1)) / 2^s) of 8 sums of output channels o0.., without overflow:
// v = acc + bias (modulo 2^32), then (v >> s) + ((v >> (s-1)) & 1).
inline __m256i round_shift(const ConvRowArgs& a, int o0, __m256i acc) {
  const __m256i v = _mm256_add_epi32(acc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + o0)));
  const __m256i s = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.shift + o0));
  const __m256i half = _mm256_and_si256(_mm256_srav_epi32(v, _mm256_sub_epi32(s, _mm256_set1_epi32(1))),
                                        _mm256_set1_epi32(1));
  return _mm256_add_epi32(_mm256_srav_epi32(v, s), half);
}

// The fused epilogue (ConvRowArgs) of the 8 sums of channels o0.. at position x.
inline void store_fused(const ConvRowArgs& a, int x, int o0, __m256i acc) {
  const int C = a.out / 4;
  __m256i r = round_shift(a, o0, acc);
  if (a.pixels[0]) {  // 8-bit samples; the 8 channels may span phases (C = 6)
    r = _mm256_max_epi32(_mm256_min_epi32(r, _mm256_set1_epi32(255)), _mm256_setzero_si256());
    alignas(32) int32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), r);
    for (int j = 0; j < 8; ++j) {
      const int o = o0 + j, phase = o / C;
      a.pixels[phase / 2][ptrdiff_t(2 * x + phase % 2) * C + o % C] = uint8_t(lanes[j]);
    }
    return;
  }
  const int phase = o0 / C, c0 = o0 % C;
  r = _mm256_max_epi32(_mm256_min_epi32(r, _mm256_set1_epi32(32767)), _mm256_set1_epi32(-32767));
  const __m128i packed = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(a.dst[phase / 2] + ptrdiff_t(2 * x + phase % 2) * C + c0), packed);
}

template <int P, int V>
inline void tile(const ConvRowArgs& a, int x0, int o0) {
  __m256i acc[P][V];
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) acc[p][v] = _mm256_setzero_si256();
  const int pairs = a.in / 2;
  for (int t = 0; t < a.k * a.k; ++t) {
    const int16_t* in = a.src + (t / a.k) * a.row_stride + ptrdiff_t(x0 + t % a.k) * a.in;
    const int16_t* w = a.weight + (ptrdiff_t(t) * pairs * a.out + o0) * 2;
    for (int i = 0; i < pairs; ++i, in += 2, w += 2 * a.out) {
      __m256i wv[V];
      for (int v = 0; v < V; ++v) wv[v] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 16 * v));
      for (int p = 0; p < P; ++p) {
        int32_t pair;
        std::memcpy(&pair, in + ptrdiff_t(p) * a.in, sizeof pair);
        const __m256i b = _mm256_set1_epi32(pair);
        for (int v = 0; v < V; ++v) acc[p][v] = _mm256_add_epi32(acc[p][v], _mm256_madd_epi16(b, wv[v]));
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.acc + ptrdiff_t(x0 + p) * a.out + o0 + 8 * v), acc[p][v]);
}

template <int V>
inline void columns(const ConvRowArgs& a, int o0) {
  int x = 0;
  for (; x + 4 <= a.width; x += 4) tile<4, V>(a, x, o0);
  for (; x < a.width; ++x) tile<1, V>(a, x, o0);
}

// IGDN sums, 8 positions x 4 output channels at a time: vpmuldq multiplies a broadcast square
// (< 2^30) by 4 sign-extended gammas into exact 64-bit products.
int igdn_norm_blocks_avx2(const IgdnRowArgs& a) {
  const int C = a.channels;
  constexpr int P = 8;
  int x0 = 0;
  for (; x0 + P <= a.width; x0 += P)
    for (int o = 0; o < C; o += 4) {
      const __m256i beta = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.beta + o));
      __m256i acc[P];
      for (int p = 0; p < P; ++p) acc[p] = beta;
      const int64_t* s = a.squares + ptrdiff_t(x0) * C;
      for (int i = 0; i < C; ++i) {
        const __m256i g = _mm256_cvtepi32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a.gamma + ptrdiff_t(i) * C + o)));
        for (int p = 0; p < P; ++p)
          acc[p] = _mm256_add_epi64(acc[p], _mm256_mul_epi32(_mm256_set1_epi64x(s[ptrdiff_t(p) * C + i]), g));
      }
      for (int p = 0; p < P; ++p)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.norm + ptrdiff_t(x0 + p) * C + o), acc[p]);
    }
  return x0;
}

}  // namespace

void conv_row_avx2(const ConvRowArgs& args) {
  const ConvRowArgs a = args;  // a local copy: stores through a.acc cannot alias its fields
  int o = 0;
  for (; o + 16 <= a.out; o += 16) columns<2>(a, o);
  for (; o < a.out; o += 8) columns<1>(a, o);
  if (a.bias)  // the epilogue as a second pass over the row's sums: the tiles stay lean
    for (int x = 0; x < a.width; ++x)
      for (int o = 0; o < a.out; o += 8)
        store_fused(a, x, o, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.acc + ptrdiff_t(x) * a.out + o)));
}

void igdn_row_avx2(const IgdnRowArgs& a) { igdn_row_loop(a, igdn_norm_blocks_avx2); }

}  // namespace vaec::model
