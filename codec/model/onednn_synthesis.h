// The synthesis transform g_s at inference, run on oneDNN directly in its blocked layout
// (channels in blocks of 8, "nChw8c"), where its AVX2 convolutions reach ~75 GMAC/s against
// ~45 through LibTorch's channels-last tensors (docs/performance.md). Same network and
// weights as VaeImpl's g_s, reorganised once at load:
//   - sub-pixel convolutions get their output channels in phase-major order, so the pixel
//     shuffle is a copy of 8-float blocks (fused with the square IGDN needs);
//   - IGDN's 1x1 convolution carries sqrt and the product with x as oneDNN post-ops.
// The convolutions are oneDNN's own kernels in both paths, so on our machines the decoded
// pictures came out byte-identical to LibTorch's (docs/performance.md); nothing relies on it
// (synthesis may use fast float code, docs/architecture.md "Decisions"; the tests allow float rounding). A
// region's pixels equal the whole frame's: every shape runs the same kernels, which sum each
// output in a fixed order (tests/model/test_incremental_synthesis.cpp).
#pragma once

#include <memory>

#include <ATen/ATen.h>

#include "model/vae.h"

namespace vaec::model {

class OnednnSynthesis {
 public:
  // Null when g_s is not the shape this class runs (sub-pixel conv, IGDN, ..., sub-pixel conv
  // to 6 channels, channel counts multiples of 8) or oneDNN has no JIT kernels for this CPU;
  // callers then use the LibTorch g_s.
  static std::unique_ptr<OnednnSynthesis> create(Vae& net);
  ~OnednnSynthesis();

  // y_hat: [1, M, h, w] float, any strides (gain already applied). Returns [1, 6, 8h, 8w]
  // float, NCHW contiguous. Uses LibTorch's thread count (at::get_num_threads()).
  at::Tensor run(const at::Tensor& y_hat);

 private:
  struct Impl;
  explicit OnednnSynthesis(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vaec::model
