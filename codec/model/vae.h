// The intra VAE: mean-scale hyperprior (Minnen et al. 2018) without serial autoregression,
// on the 6-channel YUV 4:2:0 layout, with gain units (Cui et al. 2021) for one model over the
// whole rate range.
//
//   x [6, H/2, W/2] --g_a--> y [M, H/16, W/16] * gain(level) --h_a--> z [Nz, H/64, W/64]
//   z_hat --h_s--> (mu, sigma) for y;  y_hat = round(y - mu) + mu
//   y_hat * inverse_gain(level) --g_s--> x_hat
//
// h_s is kept to 3x3 sub-pixel convolutions, ReLU and a final 1x1 convolution so the codec can
// run it as an exact integer network (integer_hyper.h) and pick CDFs bit-identically.
#pragma once

#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include "model/entropy_bottleneck.h"
#include "model/vae_config.h"

namespace vaec::model {

// Per-sample results; bits are estimates from the likelihoods (not an entropy coder).
struct RdOutput {
  torch::Tensor x_hat;   // [B, 6, h, w], same size as the (padded) input
  torch::Tensor y_bits;  // [B]
  torch::Tensor z_bits;  // [B]
};

class VaeImpl : public torch::nn::Module {
 public:
  explicit VaeImpl(VaeConfig config = {});
  const VaeConfig& config() const { return config_; }

  // Training pass: additive uniform noise for the rate terms, straight-through rounding
  // (round(y - mu) + mu) for what g_s sees. `levels` is [B] int64 gain-level indices.
  RdOutput forward_train(const torch::Tensor& x, const torch::Tensor& levels);
  // Evaluation pass with real rounding at one continuous level (batch of any size).
  RdOutput forward_eval(const torch::Tensor& x, double level);

  // Gain vectors [1, M, 1, 1] at a continuous level (log-linear between trained levels, and
  // extrapolated from levels 0 and 1 below level 0).
  torch::Tensor gain(double level) const;
  torch::Tensor inverse_gain(double level) const;

  // The pieces, for the codec. x and y_hat are NCHW float; sizes must be padded.
  torch::Tensor analysis(const torch::Tensor& x);        // g_a (no gain applied)
  torch::Tensor hyper_analysis(const torch::Tensor& y);  // h_a
  // Float h_s: mu and sigma (sigma lower-bounded). The codec uses the integer version.
  std::pair<torch::Tensor, torch::Tensor> hyper_synthesis(const torch::Tensor& z_hat);
  torch::Tensor synthesis(const torch::Tensor& y_hat);   // g_s (no gain applied)

  torch::nn::Sequential g_a{nullptr}, g_s{nullptr}, h_a{nullptr}, h_s{nullptr};
  EntropyBottleneck entropy_bottleneck{nullptr};
  torch::Tensor log_gain, log_inverse_gain;  // [levels, M]

 private:
  torch::Tensor gains_at(const torch::Tensor& table, const torch::Tensor& levels) const;
  torch::Tensor interpolate(const torch::Tensor& table, double level) const;
  VaeConfig config_;
};
TORCH_MODULE(Vae);

// Likelihood of the bin [v - 0.5, v + 0.5] under N(0, sigma); v = value - mean.
torch::Tensor gaussian_likelihood(const torch::Tensor& v, const torch::Tensor& sigma);

// Sum of -log2(likelihood) over all but the batch dimension.
torch::Tensor bits_per_sample(const torch::Tensor& likelihood);

}  // namespace vaec::model
