#include "model/entropy_bottleneck.h"

#include <cmath>
#include <string>

#include <torch/nn/functional.h>

namespace vaec::model {

EntropyBottleneckImpl::EntropyBottleneckImpl(int64_t channels, std::vector<int64_t> filters,
                                             double init_scale)
    : channels_(channels) {
  std::vector<int64_t> dims{1};
  dims.insert(dims.end(), filters.begin(), filters.end());
  dims.push_back(1);
  const size_t layers = dims.size() - 1;
  // Initialise so the density starts as a wide, roughly uniform bump (scale ~ init_scale).
  const double scale = std::pow(init_scale, 1.0 / double(layers));
  for (size_t i = 0; i < layers; ++i) {
    const double init = std::log(std::expm1(1.0 / scale / double(dims[i + 1])));
    matrices_.push_back(register_parameter(
        "matrix" + std::to_string(i), torch::full({channels, dims[i + 1], dims[i]}, init)));
    biases_.push_back(register_parameter(
        "bias" + std::to_string(i), torch::rand({channels, dims[i + 1], 1}) - 0.5));
    if (i + 1 < layers)
      factors_.push_back(register_parameter("factor" + std::to_string(i),
                                            torch::zeros({channels, dims[i + 1], 1})));
  }
}

torch::Tensor EntropyBottleneckImpl::logits_cumulative(const torch::Tensor& input) {
  torch::Tensor x = input;
  for (size_t i = 0; i < matrices_.size(); ++i) {
    x = torch::matmul(torch::nn::functional::softplus(matrices_[i]), x) + biases_[i];
    if (i < factors_.size()) x = x + torch::tanh(factors_[i]) * torch::tanh(x);
  }
  return x;
}

torch::Tensor EntropyBottleneckImpl::likelihood(const torch::Tensor& z) {
  // NCHW -> [C, 1, N*H*W]
  const auto sizes = z.sizes();
  torch::Tensor v = z.permute({1, 0, 2, 3}).reshape({channels_, 1, -1});
  torch::Tensor lower = logits_cumulative(v - 0.5);
  torch::Tensor upper = logits_cumulative(v + 0.5);
  // Evaluate in the tail where the sigmoid is most accurate (sign trick from Ballé's code).
  torch::Tensor sign = -torch::sign(lower + upper).detach();
  torch::Tensor lik = torch::abs(torch::sigmoid(sign * upper) - torch::sigmoid(sign * lower));
  lik = lik.clamp_min(1e-9);
  return lik.reshape({sizes[1], sizes[0], sizes[2], sizes[3]}).permute({1, 0, 2, 3});
}

torch::Tensor EntropyBottleneckImpl::integer_pmf(int64_t lo, int64_t hi) {
  torch::NoGradGuard no_grad;
  torch::Tensor v = torch::arange(lo, hi + 1, torch::kFloat).view({1, 1, -1}).expand(
      {channels_, 1, hi - lo + 1});
  torch::Tensor lower = logits_cumulative(v - 0.5).to(torch::kDouble);
  torch::Tensor upper = logits_cumulative(v + 0.5).to(torch::kDouble);
  torch::Tensor sign = -torch::sign(lower + upper);
  return torch::abs(torch::sigmoid(sign * upper) - torch::sigmoid(sign * lower)).squeeze(1);
}

}  // namespace vaec::model
