// The hyper-synthesis h_s as an exact integer network (Ballé et al. 2019, "Integer networks for
// data compression with latent-variable models"): it turns the decoded hyper-latents z into the
// mean and scale of every latent of y, and those choose the CDFs. Integer arithmetic makes the
// result bit-identical on every thread count, process and x86-64 build, which float LibTorch
// cannot promise. No LibTorch here; the weights are quantized once at export (model_file).
//
// Number format: activations are int32 with kActivationFracBits fractional bits. Each layer's
// weights are int32 w_q = round(w * 2^shift); acc = bias_q + sum(w_q * a) in int64, then
// a' = (acc + 2^(shift-1)) >> shift (arithmetic shift), clamped to +-2^30, ReLU as max(0, .).
#pragma once

#include <cstdint>
#include <vector>

namespace vaec::model {

constexpr int kActivationFracBits = 10;  // means are Q10: y_hat = v + mean_q / 1024 exactly

struct IntegerConvLayer {
  int in = 0, out = 0, kernel = 1;  // stride 1, zero padding kernel/2
  int shift = 0;                    // fractional bits of the weights
  int upscale = 1;                  // pixel_shuffle factor applied after the convolution
  bool relu = false;                // applied after pixel_shuffle
  std::vector<int32_t> weight;      // [kernel][kernel][in][out]
  std::vector<int32_t> bias;        // [out], with shift + kActivationFracBits fractional bits
};

// Per-element entropy parameters for y, channel-major [M][H][W] like an NCHW tensor.
struct HyperParams {
  int channels = 0, height = 0, width = 0;
  std::vector<int32_t> mean_q;     // Q10 means
  std::vector<int32_t> scale_q16;  // Q16 scales (>= 0), the input of gaussian_scale_index()
};

class IntegerHyperSynthesis {
 public:
  IntegerHyperSynthesis() = default;
  explicit IntegerHyperSynthesis(std::vector<IntegerConvLayer> layers);

  // z: integer hyper-latents, channel-major [in_channels()][h][w]. The last layer's output
  // channels are split in half: means, then scales. Exact integer arithmetic: the result is
  // identical for any `threads` (rows are shared out; each element's sum has a fixed order).
  HyperParams run(const int32_t* z, int h, int w, int threads = 1) const;

  int in_channels() const { return layers_.empty() ? 0 : layers_.front().in; }
  int out_channels() const;  // 2 * M
  int upscale() const;       // total spatial upsampling (4)
  const std::vector<IntegerConvLayer>& layers() const { return layers_; }

 private:
  std::vector<IntegerConvLayer> layers_;
};

}  // namespace vaec::model
