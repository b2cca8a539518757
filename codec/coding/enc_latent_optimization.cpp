#include "coding/enc_latent_optimization.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/optim/adam.h>

#include "model/layout.h"
#include "model/vae.h"

namespace vaec::coding {
namespace {

// SGA's stochastic rounding (Yang et al. 2020, eq. 4-5): v goes to floor(v) or floor(v) + 1
// with Gumbel-softmax weights whose logits are -atanh(distance) / tau, so the nearer integer is
// the likelier and both weights become one-hot as tau falls. Differentiable in v.
torch::Tensor sga_round(const torch::Tensor& v, double tau, at::Generator& gen) {
  constexpr double kEps = 1e-5;
  const torch::Tensor lo = torch::floor(v).detach();
  const torch::Tensor d_lo = (v - lo).clamp(-1 + kEps, 1 - kEps);
  const torch::Tensor d_hi = (lo + 1 - v).clamp(-1 + kEps, 1 - kEps);
  const torch::Tensor logits = torch::stack({-torch::atanh(d_lo), -torch::atanh(d_hi)}, -1) / tau;
  const torch::Tensor u = at::rand(logits.sizes(), gen, torch::kFloat).clamp(1e-10, 1 - 1e-7);
  const torch::Tensor gumbel = -torch::log(-torch::log(u));
  const torch::Tensor w = torch::softmax((logits + gumbel) / tau, -1);
  return lo + w.select(-1, 1);  // lo * w0 + (lo + 1) * w1, with w0 + w1 = 1
}

// SGA's temperature: 0.5 for the first 35 % of the iterations (as the paper's 700 of 2000),
// then falling exponentially to kFinalTau at the end.
double temperature(int t, int iterations) {
  constexpr double kStartTau = 0.5, kFinalTau = 0.1;
  const double t0 = 0.35 * iterations;
  if (t <= t0) return kStartTau;
  const double rate = std::log(kStartTau / kFinalTau) / std::max(1.0, iterations - t0);
  return kStartTau * std::exp(-rate * (t - t0));
}

// The network's weights take no gradients while the latents are optimised (and get their
// setting back afterwards).
class FrozenWeights {
 public:
  explicit FrozenWeights(model::Vae& net) {
    for (torch::Tensor& p : net->parameters()) {
      if (p.requires_grad()) frozen_.push_back(p), p.requires_grad_(false);
    }
  }
  ~FrozenWeights() {
    for (torch::Tensor& p : frozen_) p.requires_grad_(true);
  }
  FrozenWeights(const FrozenWeights&) = delete;
  FrozenWeights& operator=(const FrozenWeights&) = delete;

 private:
  std::vector<torch::Tensor> frozen_;
};

}  // namespace

model::AnalysedFrame optimise_latents(model::IntraModel& m, const Frame& frame, const model::AnalysedFrame& start,
                                      double lambda, const LatentOptimizationOptions& options,
                                      LatentOptimizationReport* report) {
  if (start.y.size() != start.shape.size()) throw std::invalid_argument("optimise_latents: y does not match its shape");
  model::Vae& net = m.net();
  FrozenWeights frozen(net);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);

  // The picture, and the part of the padded 6-channel layout that the decoder keeps.
  const torch::Tensor x = model::frame_to_padded_tensor(frame, model::kLumaMultiple / 2);
  const int64_t rows = (frame.height + 1) / 2, cols = (frame.width + 1) / 2;
  const torch::Tensor x_kept = x.narrow(2, 0, rows).narrow(3, 0, cols);
  const double pixels = double(frame.width) * frame.height;
  const torch::Tensor inverse_gain = net->inverse_gain(m.level(start.quality)).detach();

  // bits + lambda * 255^2 * MSE_YUV * pixels (the training loss times the pixel count), with
  // SGA rounding at temperature tau, or the real rounding (tau <= 0).
  auto cost = [&](const torch::Tensor& y, const torch::Tensor& z, double tau) {
    const bool hard = tau <= 0;
    const torch::Tensor z_q = hard ? torch::round(z) : sga_round(z, tau, gen);
    auto [mu, sigma] = net->hyper_synthesis(z_q);
    const torch::Tensor y_q = hard ? torch::round(y - mu) + mu : mu + sga_round(y - mu, tau, gen);
    const torch::Tensor bits = model::bits_per_sample(model::gaussian_likelihood(y_q - mu, sigma)) +
                               model::bits_per_sample(net->entropy_bottleneck->likelihood(z_q));
    const torch::Tensor x_hat = net->synthesis(y_q * inverse_gain).narrow(2, 0, rows).narrow(3, 0, cols);
    const torch::Tensor se = (x_hat - x_kept).square();
    const torch::Tensor mse = (6.0 * se.narrow(1, 0, 4).mean() + se.select(1, 4).mean() + se.select(1, 5).mean()) / 8.0;
    return bits.sum() + lambda * 255.0 * 255.0 * pixels * mse;
  };

  const auto& s = start.shape;
  torch::Tensor y = torch::from_blob(const_cast<float*>(start.y.data()), {1, s.channels, s.height, s.width},
                                     torch::kFloat)
                        .clone();
  torch::Tensor z;
  {
    torch::NoGradGuard no_grad;
    z = net->hyper_analysis(y);
  }
  auto hard_cost = [&]() {
    torch::NoGradGuard no_grad;
    return cost(y, z, 0).item<double>();
  };
  double best = hard_cost();
  torch::Tensor best_y = y.clone(), best_z = torch::round(z);
  LatentOptimizationReport r;
  r.start_cost = best;

  y.requires_grad_(true);
  z.requires_grad_(true);
  torch::optim::Adam adam({y, z}, torch::optim::AdamOptions(options.learning_rate));
  for (int t = 1; t <= options.iterations; ++t) {
    adam.zero_grad();
    // Normalised per pixel so the learning rate means the same at every picture size.
    torch::Tensor loss = cost(y, z, temperature(t, options.iterations)) / pixels;
    loss.backward();
    adam.step();
    if (t % std::max(1, options.check_every) == 0 || t == options.iterations) {
      const double c = hard_cost();
      if (c < best) {
        best = c;
        best_y = y.detach().clone();
        best_z = torch::round(z.detach());
        r.best_iteration = t;
      }
    }
  }
  r.best_cost = best;
  if (report) *report = r;

  model::AnalysedFrame out;
  out.shape = start.shape;
  out.quality = start.quality;
  best_y = best_y.contiguous();
  out.y.assign(best_y.data_ptr<float>(), best_y.data_ptr<float>() + best_y.numel());
  const torch::Tensor zi = best_z.to(torch::kInt).contiguous();
  out.z.assign(zi.data_ptr<int32_t>(), zi.data_ptr<int32_t>() + zi.numel());
  return out;
}

}  // namespace vaec::coding
