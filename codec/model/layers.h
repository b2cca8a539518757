// Building blocks of the transforms: a gradient-friendly lower bound, stable (reparametrised)
// GDN/IGDN (Ballé et al. 2016; bounds as in CompressAI), and sub-pixel up-convolution
// (conv + pixel_shuffle; ConvTranspose2d is 4-15x slower in this LibTorch, docs/architecture.md "Decisions").
#pragma once

#include <utility>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>

namespace vaec::model {

// max(x, bound) whose gradient still flows where it would push x back above the bound, so a
// parameter stuck under its bound can recover (a plain clamp would freeze it).
torch::Tensor lower_bound(const torch::Tensor& x, double bound);

// Generalized divisive normalization: y = x / sqrt(beta + gamma * x^2) (inverse: * sqrt(...)).
// beta and gamma are kept non-negative by squaring bounded parameters.
class GdnImpl : public torch::nn::Module {
 public:
  GdnImpl(int64_t channels, bool inverse);
  torch::Tensor forward(const torch::Tensor& x);
  // The effective beta [C] and gamma [C][C] (bounds and reparametrisation applied).
  std::pair<torch::Tensor, torch::Tensor> beta_gamma() const;
  bool inverse() const { return inverse_; }

 private:
  int64_t channels_;
  bool inverse_;
  torch::Tensor beta_, gamma_;
};
TORCH_MODULE(Gdn);

// Conv (k x k, stride 1) to out*r^2 channels followed by pixel_shuffle(r): an r-times upsampler.
class SubPixelConvImpl : public torch::nn::Module {
 public:
  SubPixelConvImpl(int64_t in, int64_t out, int64_t kernel, int64_t r);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t upscale() const { return r_; }
  torch::nn::Conv2d conv{nullptr};

 private:
  int64_t r_;
};
TORCH_MODULE(SubPixelConv);

// A k x k convolution with "same" padding and the given stride.
torch::nn::Conv2d make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1);

}  // namespace vaec::model
