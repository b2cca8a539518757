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
#include "model/conv_epilogue8.inc"

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
        store_fused8(a, x, o, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.acc + ptrdiff_t(x) * a.out + o)));
}

void igdn_row_avx2(const IgdnRowArgs& a) { igdn_row_loop(a, igdn_norm_blocks_avx2); }

}  // namespace vaec::model
