// Factorized density for the hyper-latents z (Ballé et al. 2018, appendix 6.1): per channel a
// small monotone network models the cumulative distribution; the likelihood of a quantization
// bin is the CDF difference across it. At export the density is sampled on integers to build
// fixed CDF tables, so the decoder never runs this network.
#pragma once

#include <vector>

#include <torch/nn/module.h>

namespace vaec::model {

class EntropyBottleneckImpl : public torch::nn::Module {
 public:
  explicit EntropyBottleneckImpl(int64_t channels, std::vector<int64_t> filters = {3, 3, 3},
                                 double init_scale = 10.0);

  // Likelihood of each element of z (NCHW) under the density convolved with a unit box,
  // i.e. P(bin [v - 0.5, v + 0.5]); clamped below to avoid log(0).
  torch::Tensor likelihood(const torch::Tensor& z);

  // Probabilities of the integers lo..hi for every channel: [C, hi - lo + 1] float64, plus the
  // mass below lo and above hi folded into the first/last column is NOT done (callers decide).
  torch::Tensor integer_pmf(int64_t lo, int64_t hi);

  int64_t channels() const { return channels_; }

 private:
  // Logit of the cumulative at x; x is [C, 1, K].
  torch::Tensor logits_cumulative(const torch::Tensor& x);

  int64_t channels_;
  std::vector<torch::Tensor> matrices_, biases_, factors_;
};
TORCH_MODULE(EntropyBottleneck);

}  // namespace vaec::model
