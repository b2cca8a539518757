// The AVX-512 kernel (ConvRowKernel, model/integer_synthesis.h): vpdpwssd (AVX-512 VNNI)
// multiplies a broadcast pair of input channels by the pair's weights of 16 (zmm) or 8 (ymm)
// output channels and adds both products to the sums, modulo 2^32 (the non-saturating form),
// in one instruction. Built with AVX-512 flags and called only when the CPU has them; no inline
// library code here (see integer_kernels_avx2.cpp).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "model/integer_synthesis.h"

namespace vaec::model {

namespace {

#include "model/igdn_norm_loop.inc"

inline int32_t load_pair(const int16_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#include "model/conv_epilogue8.inc"

// The same for 16 sums; C is a multiple of 8, so the two halves may lie in different phases.
inline void store_fused16(const ConvRowArgs& a, int x, int o0, __m512i acc) {
  const int C = a.out / 4;
  if (C % 16 != 0 || a.pixels[0]) {
    store_fused8(a, x, o0, _mm512_castsi512_si256(acc));
    store_fused8(a, x, o0 + 8, _mm512_extracti64x4_epi64(acc, 1));
    return;
  }
  const int phase = o0 / C, c0 = o0 % C;
  const __m512i v = _mm512_add_epi32(acc, _mm512_loadu_si512(a.bias + o0));
  const __m512i s = _mm512_loadu_si512(a.shift + o0);
  const __m512i half = _mm512_and_si512(_mm512_srav_epi32(v, _mm512_sub_epi32(s, _mm512_set1_epi32(1))),
                                        _mm512_set1_epi32(1));
  __m512i r = _mm512_add_epi32(_mm512_srav_epi32(v, s), half);
  r = _mm512_max_epi32(_mm512_min_epi32(r, _mm512_set1_epi32(32767)), _mm512_set1_epi32(-32767));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.dst[phase / 2] + ptrdiff_t(2 * x + phase % 2) * C + c0),
                      _mm512_cvtepi32_epi16(r));
}

// P output positions x V groups of 16 output channels starting at (x0, o0).
template <int P, int V>
inline void tile16(const ConvRowArgs& a, int x0, int o0) {
  __m512i acc[P][V];
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) acc[p][v] = _mm512_setzero_si512();
  const int pairs = a.in / 2;
  for (int t = 0; t < a.k * a.k; ++t) {
    const int16_t* in = a.src + (t / a.k) * a.row_stride + ptrdiff_t(x0 + t % a.k) * a.in;
    const int16_t* w = a.weight + (ptrdiff_t(t) * pairs * a.out + o0) * 2;
    for (int i = 0; i < pairs; ++i, in += 2, w += 2 * a.out) {
      __m512i wv[V];
      for (int v = 0; v < V; ++v) wv[v] = _mm512_loadu_si512(w + 32 * v);
      for (int p = 0; p < P; ++p) {
        const __m512i b = _mm512_set1_epi32(load_pair(in + ptrdiff_t(p) * a.in));
        for (int v = 0; v < V; ++v) acc[p][v] = _mm512_dpwssd_epi32(acc[p][v], b, wv[v]);
      }
    }
  }
  for (int p = 0; p < P; ++p)
    for (int v = 0; v < V; ++v) _mm512_storeu_si512(a.acc + ptrdiff_t(x0 + p) * a.out + o0 + 16 * v, acc[p][v]);
}

// The same for one group of 8 output channels (ymm, AVX-512 VL).
template <int P>
inline void tile8(const ConvRowArgs& a, int x0, int o0) {
  __m256i acc[P];
  for (int p = 0; p < P; ++p) acc[p] = _mm256_setzero_si256();
  const int pairs = a.in / 2;
  for (int t = 0; t < a.k * a.k; ++t) {
    const int16_t* in = a.src + (t / a.k) * a.row_stride + ptrdiff_t(x0 + t % a.k) * a.in;
    const int16_t* w = a.weight + (ptrdiff_t(t) * pairs * a.out + o0) * 2;
    for (int i = 0; i < pairs; ++i, in += 2, w += 2 * a.out) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
      for (int p = 0; p < P; ++p)
        acc[p] = _mm256_dpwssd_epi32(acc[p], _mm256_set1_epi32(load_pair(in + ptrdiff_t(p) * a.in)), wv);
    }
  }
  for (int p = 0; p < P; ++p)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a.acc + ptrdiff_t(x0 + p) * a.out + o0), acc[p]);
}

template <int V>
inline void columns16(const ConvRowArgs& a, int o0) {
  int x = 0;
  for (; x + 6 <= a.width; x += 6) tile16<6, V>(a, x, o0);
  for (; x < a.width; ++x) tile16<1, V>(a, x, o0);
}

// IGDN sums, 8 positions x 8 output channels at a time: vpmuldq multiplies a broadcast square
// (< 2^30) by 8 sign-extended gammas into exact 64-bit products.
int igdn_norm_blocks_avx512(const IgdnRowArgs& a) {
  const int C = a.channels;
  constexpr int P = 8;
  int x0 = 0;
  for (; x0 + P <= a.width; x0 += P)
    for (int o = 0; o < C; o += 8) {
      const __m512i beta = _mm512_loadu_si512(a.beta + o);
      __m512i acc[P];
      for (int p = 0; p < P; ++p) acc[p] = beta;
      const int64_t* s = a.squares + ptrdiff_t(x0) * C;
      for (int i = 0; i < C; ++i) {
        const __m512i g = _mm512_cvtepi32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.gamma + ptrdiff_t(i) * C + o)));
        for (int p = 0; p < P; ++p)
          acc[p] = _mm512_add_epi64(acc[p], _mm512_mul_epi32(_mm512_set1_epi64(s[ptrdiff_t(p) * C + i]), g));
      }
      for (int p = 0; p < P; ++p) _mm512_storeu_si512(a.norm + ptrdiff_t(x0 + p) * C + o, acc[p]);
    }
  return x0;
}

}  // namespace

void conv_row_avx512(const ConvRowArgs& args) {
  const ConvRowArgs a = args;  // a local copy: stores through a.acc cannot alias its fields
  int o = 0;
  for (; o + 32 <= a.out; o += 32) columns16<2>(a, o);
  for (; o + 16 <= a.out; o += 16) columns16<1>(a, o);
  if (o < a.out) {  // 8 left (out is a multiple of 8)
    int x = 0;
    for (; x + 8 <= a.width; x += 8) tile8<8>(a, x, o);
    for (; x < a.width; ++x) tile8<1>(a, x, o);
  }
  if (a.bias)  // the epilogue as a second pass over the row's sums: the tiles stay lean
    for (int x = 0; x < a.width; ++x) {
      int o = 0;
      for (; o + 16 <= a.out; o += 16) store_fused16(a, x, o, _mm512_loadu_si512(a.acc + ptrdiff_t(x) * a.out + o));
      if (o < a.out)
        store_fused8(a, x, o, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.acc + ptrdiff_t(x) * a.out + o)));
    }
}

void igdn_row_avx512(const IgdnRowArgs& a) { igdn_row_loop(a, igdn_norm_blocks_avx512); }

}  // namespace vaec::model
