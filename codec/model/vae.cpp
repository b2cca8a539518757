#include "model/vae.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <torch/nn/functional.h>
#include <torch/nn/modules/activation.h>

#include "model/layers.h"

namespace vaec::model {

VaeImpl::VaeImpl(VaeConfig config) : config_(std::move(config)) {
  const int64_t N = config_.N, M = config_.M, Nz = config_.Nz, L = config_.levels();
  if (N <= 0 || M <= 0 || Nz <= 0 || config_.Ns < 0 || L < 1) throw std::invalid_argument("VaeConfig: bad sizes");
  using torch::nn::ReLU;
  g_a = register_module("g_a", torch::nn::Sequential(
      make_conv(6, N, 5, 2), Gdn(N, false),
      make_conv(N, N, 5, 2), Gdn(N, false),
      make_conv(N, M, 5, 2)));
  const int64_t S = config_.synthesis_channels();
  g_s = register_module("g_s", torch::nn::Sequential(
      SubPixelConv(M, S, 3, 2), Gdn(S, true),
      SubPixelConv(S, S, 3, 2), Gdn(S, true),
      SubPixelConv(S, 6, 3, 2)));
  h_a = register_module("h_a", torch::nn::Sequential(
      make_conv(M, N, 3, 1), ReLU(),
      make_conv(N, N, 3, 2), ReLU(),
      make_conv(N, Nz, 3, 2)));
  h_s = register_module("h_s", torch::nn::Sequential(
      SubPixelConv(Nz, N, 3, 2), ReLU(),
      SubPixelConv(N, N, 3, 2), ReLU(),
      make_conv(N, 2 * M, 1, 1)));
  entropy_bottleneck = register_module("entropy_bottleneck", EntropyBottleneck(Nz));
  // Start the levels apart (larger gain = finer quantization = higher quality); training
  // then shapes each channel's gain.
  torch::Tensor init = torch::linspace(-1.5, 1.5, L).view({L, 1}).expand({L, M}).clone();
  if (L == 1) init.zero_();
  log_gain = register_parameter("log_gain", init);
  log_inverse_gain = register_parameter("log_inverse_gain", (-init).detach());
}

torch::Tensor VaeImpl::gains_at(const torch::Tensor& table, const torch::Tensor& levels) const {
  return torch::exp(table.index_select(0, levels)).view({levels.size(0), config_.M, 1, 1});
}

torch::Tensor VaeImpl::interpolate(const torch::Tensor& table, double level) const {
  const int64_t L = config_.levels();
  level = std::clamp(level, L > 1 ? kLowestLevel : 0.0, double(L - 1));
  // Below level 0, t < 0 extends the line through levels 0 and 1.
  const int64_t lo = std::clamp<int64_t>(int64_t(std::floor(level)), 0, std::max<int64_t>(L - 2, 0));
  const int64_t hi = std::min<int64_t>(lo + 1, L - 1);
  const double t = level - double(lo);
  return torch::exp(table[lo] * (1.0 - t) + table[hi] * t).view({1, config_.M, 1, 1});
}

torch::Tensor VaeImpl::gain(double level) const { return interpolate(log_gain, level); }
torch::Tensor VaeImpl::inverse_gain(double level) const {
  return interpolate(log_inverse_gain, level);
}

torch::Tensor VaeImpl::analysis(const torch::Tensor& x) { return g_a->forward(x); }
torch::Tensor VaeImpl::hyper_analysis(const torch::Tensor& y) { return h_a->forward(y); }
torch::Tensor VaeImpl::synthesis(const torch::Tensor& y_hat) { return g_s->forward(y_hat); }

std::pair<torch::Tensor, torch::Tensor> VaeImpl::hyper_synthesis(const torch::Tensor& z_hat) {
  auto parts = h_s->forward(z_hat).chunk(2, 1);
  return {parts[0], lower_bound(parts[1], kScaleBound)};
}

torch::Tensor gaussian_likelihood(const torch::Tensor& v, const torch::Tensor& sigma) {
  const double inv_sqrt2 = 1.0 / std::sqrt(2.0);
  torch::Tensor a = torch::abs(v);
  // Phi(t) = 0.5 * erfc(-t / sqrt 2); upper tail form is the accurate one for large |v|.
  torch::Tensor upper = 0.5 * torch::erfc(-(0.5 - a) / sigma * inv_sqrt2);
  torch::Tensor lower = 0.5 * torch::erfc(-(-0.5 - a) / sigma * inv_sqrt2);
  return (upper - lower).clamp_min(1e-9);
}

torch::Tensor bits_per_sample(const torch::Tensor& likelihood) {
  return -torch::log2(likelihood).flatten(1).sum(1);
}

static torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& value) {
  return x + (value - x).detach();
}

RdOutput VaeImpl::forward_train(const torch::Tensor& x, const torch::Tensor& levels) {
  torch::Tensor y = analysis(x) * gains_at(log_gain, levels);
  torch::Tensor z = hyper_analysis(y);
  torch::Tensor z_lik = entropy_bottleneck->likelihood(z + torch::rand_like(z) - 0.5);
  torch::Tensor z_hat = straight_through(z, torch::round(z));
  auto [mu, sigma] = hyper_synthesis(z_hat);
  torch::Tensor y_lik = gaussian_likelihood(y + torch::rand_like(y) - 0.5 - mu, sigma);
  torch::Tensor y_hat = straight_through(y, torch::round(y - mu) + mu);
  torch::Tensor x_hat = synthesis(y_hat * gains_at(log_inverse_gain, levels));
  return {x_hat, bits_per_sample(y_lik), bits_per_sample(z_lik)};
}

RdOutput VaeImpl::forward_eval(const torch::Tensor& x, double level) {
  torch::Tensor y = analysis(x) * gain(level);
  torch::Tensor z_hat = torch::round(hyper_analysis(y));
  torch::Tensor z_lik = entropy_bottleneck->likelihood(z_hat);
  auto [mu, sigma] = hyper_synthesis(z_hat);
  torch::Tensor y_hat = torch::round(y - mu) + mu;
  torch::Tensor y_lik = gaussian_likelihood(y_hat - mu, sigma);
  torch::Tensor x_hat = synthesis(y_hat * inverse_gain(level));
  return {x_hat, bits_per_sample(y_lik), bits_per_sample(z_lik)};
}

}  // namespace vaec::model
