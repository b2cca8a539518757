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

}  // namespace

void conv_row_avx2(const ConvRowArgs& a) {
  int o = 0;
  for (; o + 16 <= a.out; o += 16) columns<2>(a, o);
  for (; o < a.out; o += 8) columns<1>(a, o);
}

void igdn_norm_avx2(const IgdnNormArgs& a) { igdn_norm_loop(a); }

}  // namespace vaec::model
