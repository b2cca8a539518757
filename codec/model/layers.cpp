#include "model/layers.h"

#include <cmath>

#include <ATen/Context.h>
#include <ATen/ops/mkldnn_convolution.h>
#include <torch/autograd.h>
#include <torch/nn/functional.h>

namespace vaec::model {

namespace {

class LowerBoundFunction : public torch::autograd::Function<LowerBoundFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               double bound) {
    ctx->save_for_backward({x});
    ctx->saved_data["bound"] = bound;
    return x.clamp_min(bound);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const torch::Tensor x = ctx->get_saved_variables()[0];
    const double bound = ctx->saved_data["bound"].toDouble();
    const torch::Tensor& g = grads[0];
    // Pass the gradient where x is above the bound, or where descent would increase x.
    const torch::Tensor pass = (x >= bound).logical_or(g < 0);
    return {g * pass.to(g.scalar_type()), torch::Tensor()};
  }
};

// Reparametrisation pedestal (CompressAI's NonNegativeParametrizer uses 2^-18 squared).
constexpr double kPedestal = 1.0 / 68719476736.0;  // 2^-36

// At inference, convolutions always run on oneDNN when LibTorch has it: conv2d itself picks
// its native kernels for inputs under ~20k elements, whose sums round differently, and
// IncrementalSynthesis needs a small region's pixels to equal the whole frame's.
torch::Tensor stride1_conv(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                           int64_t padding) {
  if (!torch::GradMode::is_enabled() && at::hasMKLDNN() && x.device().is_cpu() &&
      x.scalar_type() == torch::kFloat) {
    const auto format = x.suggest_memory_format();
    return at::mkldnn_convolution(x.contiguous(format), weight.contiguous(format), bias, {padding, padding},
                                  {1, 1}, {1, 1}, 1);
  }
  return torch::conv2d(x, weight, bias, 1, padding);
}

}  // namespace

torch::Tensor lower_bound(const torch::Tensor& x, double bound) {
  return LowerBoundFunction::apply(x, bound);
}

GdnImpl::GdnImpl(int64_t channels, bool inverse) : channels_(channels), inverse_(inverse) {
  beta_ = register_parameter("beta", torch::sqrt(torch::ones({channels}) + kPedestal));
  gamma_ = register_parameter(
      "gamma", torch::sqrt(0.1 * torch::eye(channels) + kPedestal));
}

std::pair<torch::Tensor, torch::Tensor> GdnImpl::beta_gamma() const {
  const double beta_min = std::sqrt(1e-6 + kPedestal), gamma_min = std::sqrt(kPedestal);
  return {lower_bound(beta_, beta_min).square() - kPedestal, lower_bound(gamma_, gamma_min).square() - kPedestal};
}

torch::Tensor GdnImpl::forward(const torch::Tensor& x) {
  const auto [beta, gamma] = beta_gamma();
  torch::Tensor norm =
      stride1_conv(x * x, gamma.view({channels_, channels_, 1, 1}), beta, 0);
  if (!torch::GradMode::is_enabled()) {
    // Inference: reuse norm's buffer for the root and the product (two fewer full-size
    // tensors per layer; these elementwise passes, not the 1x1 conv, are GDN's cost).
    (inverse_ ? norm.sqrt_() : norm.rsqrt_()).mul_(x);
    return norm;
  }
  return inverse_ ? x * torch::sqrt(norm) : x * torch::rsqrt(norm);
}

SubPixelConvImpl::SubPixelConvImpl(int64_t in, int64_t out, int64_t kernel, int64_t r) : r_(r) {
  conv = register_module("conv", make_conv(in, out * r * r, kernel));
}

torch::Tensor SubPixelConvImpl::forward(const torch::Tensor& x) {
  const auto& o = conv->options;
  return torch::pixel_shuffle(stride1_conv(x, conv->weight, conv->bias, (*o.kernel_size())[0] / 2), r_);
}

torch::nn::Conv2d make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2));
}

}  // namespace vaec::model
