#include "model/quantize_synthesis.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/nn/functional.h>
#include <torch/torch.h>

#include "model/intra.h"
#include "model/layers.h"
#include "model/layout.h"

namespace vaec::model {

namespace {

constexpr int kWeightMax = kActivationMax;
constexpr double kBetaLimit = double(int64_t(1) << 55);  // IntegerIgdn's beta stays below 2^56

// Largest power-of-two exponent f with max * 2^f <= limit.
int exponent_for(double max, double limit) {
  if (!(max > 0)) return 30;
  return int(std::floor(std::log2(limit / max)));
}

// Sub-pixel output channel c * 4 + phase becomes phase * (out / 4) + c (integer_synthesis.h).
torch::Tensor phase_major(const torch::Tensor& t) {
  const int64_t channels = t.size(0) / 4;
  std::vector<int64_t> shape = t.sizes().vec();
  shape[0] = 4;
  shape.insert(shape.begin(), channels);
  return t.reshape(shape).transpose(0, 1).reshape(t.sizes()).contiguous();
}

// The largest |value| at each activation point of g_s.
struct Ranges {
  double point[5] = {0, 0, 0, 0, 0};  // input, conv1 out, IGDN1 out, conv2 out, IGDN2 out
};

// Runs the float g_s on the latents the codec would decode for each calibration picture (the
// model's own analysis, integer h_s and rounding around its means) at a range of qualities.
Ranges measure_ranges(IntraModel& m) {
  torch::NoGradGuard no_grad;
  Ranges r;
  Vae& net = m.net();
  for (const Frame& f : calibration_frames()) {
    const UngainedAnalysis analysis = ungained_analysis(m, f);
    for (int q : {1, 10, 25, 50, 75, 100}) {
      const IntraLatents lat = analyse(m, with_gain(m, analysis, q));
      torch::Tensor x = gained_latents(m, latents_q10(lat.y, lat.params), lat.y_shape, q);
      r.point[0] = std::max(r.point[0], x.abs().max().item<double>());
      auto& gs = net->g_s;
      for (size_t i = 0; i + 1 < gs->size(); ++i) {
        if (auto* g = gs->ptr(i)->as<GdnImpl>())
          x = g->forward(x);
        else
          x = gs->ptr(i)->as<SubPixelConvImpl>()->forward(x);
        r.point[i + 1] = std::max(r.point[i + 1], x.abs().max().item<double>());
      }
    }
  }
  return r;
}

// `max_shift`: the sums are about out * 2^shift and must stay inside int32 for any output up to
// twice the clamp: 15 for int16 activations, 20 for 8-bit samples.
IntegerSubPixelConv quantize_conv(SubPixelConvImpl& layer, int f_in, int f_out, int max_shift, double scale,
                                  double offset, const std::string& name) {
  torch::NoGradGuard no_grad;
  const torch::Tensor w = phase_major(layer.conv->weight.detach().to(torch::kDouble)) * scale;
  const torch::Tensor b = phase_major(layer.conv->bias.detach().to(torch::kDouble)) * scale + offset;
  IntegerSubPixelConv c;
  c.out = int(w.size(0));
  c.in = int(w.size(1));
  for (int o = 0; o < c.out; ++o) {
    const torch::Tensor wo = w[o].contiguous();
    const double max_w = wo.abs().max().item<double>();
    int e = std::min(exponent_for(max_w, kWeightMax), f_out - f_in + max_shift);
    if (e + f_in - f_out < 1) {
      e = f_out - f_in + 1;
      if (max_w * std::ldexp(1.0, e) > kWeightMax)
        throw std::runtime_error("integer synthesis: " + name + " has weights too large for its output precision");
    }
    const double* pw = wo.data_ptr<double>();
    for (int64_t i = 0; i < wo.numel(); ++i)
      c.weight.push_back(int16_t(std::clamp(std::nearbyint(std::ldexp(pw[i], e)), -double(kWeightMax), double(kWeightMax))));
    const double bias = std::nearbyint(std::ldexp(b[o].item<double>(), e + f_in));
    if (std::abs(bias) > 2147483647.0) throw std::runtime_error("integer synthesis: " + name + " has a bias out of range");
    c.bias.push_back(int32_t(bias));
    c.shift.push_back(uint8_t(e + f_in - f_out));
  }
  return c;
}

IntegerIgdn quantize_igdn(GdnImpl& g, int fx, int fy, const std::string& name) {
  torch::NoGradGuard no_grad;
  const auto [beta_t, gamma_t] = g.beta_gamma();
  const torch::Tensor beta = beta_t.detach().to(torch::kDouble).contiguous();
  const torch::Tensor gamma = gamma_t.detach().to(torch::kDouble).contiguous();
  IntegerIgdn q;
  q.channels = int(beta.size(0));
  for (int o = 0; o < q.channels; ++o) {
    const torch::Tensor row = gamma[o].contiguous();
    // The sum has E = eg + 2 fx fractional bits (squares are exact); E must be even, since the
    // square root halves it.
    int eg = std::min(exponent_for(row.max().item<double>(), kWeightMax),
                      exponent_for(beta[o].item<double>(), kBetaLimit) - 2 * fx);
    if (eg % 2 != 0) --eg;
    const int E = eg + 2 * fx;
    const int shift = fx + E / 2 - fy;
    if (shift < 1 || shift > 62) throw std::runtime_error("integer synthesis: " + name + " needs a shift outside 1..62");
    const double* pg = row.data_ptr<double>();
    for (int64_t i = 0; i < row.numel(); ++i)
      q.gamma.push_back(int16_t(std::clamp(std::nearbyint(std::ldexp(pg[i], eg)), 0.0, double(kWeightMax))));
    q.beta.push_back(int64_t(std::nearbyint(std::ldexp(beta[o].item<double>(), E))));
    q.shift.push_back(uint8_t(shift));
  }
  return q;
}

}  // namespace

std::vector<Frame> calibration_frames() {
  constexpr int kSize = 192;
  std::vector<Frame> frames(4);
  uint32_t seed = 12345;
  auto noise = [&] {
    seed = seed * 1664525u + 1013904223u;
    return uint8_t(seed >> 24);
  };
  for (size_t k = 0; k < frames.size(); ++k) {
    Frame& f = frames[k];
    f.allocate(kSize, kSize);
    for (int p = 0; p < 3; ++p)
      for (int y = 0; y < f.plane_height(p); ++y)
        for (int x = 0; x < f.plane_width(p); ++x) {
          const int s = p == 0 ? 1 : 2;  // chroma at half resolution
          const int ly = y * s, lx = x * s;
          uint8_t v = 0;
          switch (k) {
            case 0: v = uint8_t((lx + ly + 64 * p) * 255 / (2 * kSize + 128)); break;  // gradients
            case 1: v = ((lx / 8 + ly / 8) % 2) ? (p == 0 ? 235 : 200) : (p == 0 ? 16 : 60); break;  // edges
            case 2: v = noise(); break;  // the largest activations
            case 3: v = uint8_t(127.5 + 127.5 * std::sin(double(lx * lx + ly * ly) / (40.0 + 30 * p))); break;  // zone plate
          }
          f.planes[p][size_t(y) * f.plane_width(p) + x] = v;
        }
  }
  return frames;
}

IntegerSynthesisParams quantize_synthesis(IntraModel& m) {
  torch::NoGradGuard no_grad;
  const Ranges r = measure_ranges(m);
  Vae& net = m.net();
  int f[5];
  for (int i = 0; i < 5; ++i) f[i] = std::clamp(exponent_for(r.point[i], kActivationMax), 0, 29);
  IntegerSynthesisParams p;
  p.latent_channels = int(net->config().M);
  p.hidden_channels = int(net->config().synthesis_channels());
  p.input_shift = 10 + kInverseGainFracBits - f[0];  // y_hat_q10 (Q10) * gain (Q20) -> f[0]
  for (int q = 1; q <= kSynthesisQualities; ++q) {
    const torch::Tensor g = net->inverse_gain(m.level(q)).flatten().to(torch::kDouble);
    for (int64_t c = 0; c < g.numel(); ++c)
      p.inverse_gain.push_back(int32_t(std::clamp(std::nearbyint(std::ldexp(g[c].item<double>(), kInverseGainFracBits)),
                                                  1.0, double(1 << 30))));
  }
  auto& gs = net->g_s;
  p.conv[0] = quantize_conv(*gs->ptr(0)->as<SubPixelConvImpl>(), f[0], f[1], 15, 1.0, 0.0, "conv1");
  p.igdn[0] = quantize_igdn(*gs->ptr(1)->as<GdnImpl>(), f[1], f[2], "IGDN 1");
  p.conv[1] = quantize_conv(*gs->ptr(2)->as<SubPixelConvImpl>(), f[2], f[3], 15, 1.0, 0.0, "conv2");
  p.igdn[1] = quantize_igdn(*gs->ptr(3)->as<GdnImpl>(), f[3], f[4], "IGDN 2");
  // The last layer writes 8-bit samples: round((v + 0.5) * 255) as model/layout.h does.
  p.conv[2] = quantize_conv(*gs->ptr(4)->as<SubPixelConvImpl>(), f[4], 0, 20, 255.0, 127.5, "conv3");
  return p;
}

}  // namespace vaec::model
