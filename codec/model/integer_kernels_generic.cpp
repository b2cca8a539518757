// The portable kernel (ConvRowKernel, model/integer_synthesis.h) and the dispatch by level.
// Sums are kept in uint32_t, so wrapping modulo 2^32 is defined C++ (as in the SIMD kernels).
#include <cstdint>

#include "model/integer_synthesis.h"

namespace vaec::model {

void conv_row_avx2(const ConvRowArgs& a);    // integer_kernels_avx2.cpp
void conv_row_avx512(const ConvRowArgs& a);  // integer_kernels_avx512.cpp
void igdn_row_avx2(const IgdnRowArgs& a);
void igdn_row_avx512(const IgdnRowArgs& a);

namespace {

#include "model/igdn_norm_loop.inc"

// Weights [k*k][in][out]: the inner loop runs over output channels, which compilers vectorise.
void conv_row_generic(const ConvRowArgs& args) {
  const ConvRowArgs a = args;  // a local copy: stores through a.acc cannot alias its fields
  for (int x = 0; x < a.width; ++x) {
    uint32_t* acc = reinterpret_cast<uint32_t*>(a.acc + ptrdiff_t(x) * a.out);
    for (int o = 0; o < a.out; ++o) acc[o] = 0;
    for (int t = 0; t < a.k * a.k; ++t) {
      const int16_t* in = a.src + (t / a.k) * a.row_stride + ptrdiff_t(x + t % a.k) * a.in;
      const int16_t* w = a.weight + ptrdiff_t(t) * a.in * a.out;
      for (int i = 0; i < a.in; ++i, w += a.out) {
        const int32_t v = in[i];
        for (int o = 0; o < a.out; ++o) acc[o] += uint32_t(v * int32_t(w[o]));  // |product| < 2^30
      }
    }
  }
}

void igdn_row_generic(const IgdnRowArgs& a) {
  igdn_row_loop(a, [](const IgdnRowArgs&) { return 0; });
}

}  // namespace

ConvRowKernel conv_row_kernel(CpuLevel level) {
#if defined(__x86_64__)
  if (level == CpuLevel::kAvx512) return conv_row_avx512;
  if (level == CpuLevel::kAvx2) return conv_row_avx2;
#endif
  return conv_row_generic;
}

IgdnRowKernel igdn_row_kernel(CpuLevel level) {
#if defined(__x86_64__)
  if (level == CpuLevel::kAvx512) return igdn_row_avx512;
  if (level == CpuLevel::kAvx2) return igdn_row_avx2;
#endif
  return igdn_row_generic;
}

bool kernel_uses_pairs(CpuLevel level) { return level == CpuLevel::kAvx2 || level == CpuLevel::kAvx512; }

}  // namespace vaec::model
