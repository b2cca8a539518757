// Not a test: what fixed-point arithmetic in the synthesis g_s would cost (issue 20 asks for an
// integer g_s). Simulated in float ("fake quantization"): weights rounded to B-bit integers with
// a power-of-two scale per output channel, and/or every activation between layers (the input
// y_hat·inverse_gain, each sub-pixel conv's output, each IGDN's output) rounded to B-bit integers (16, and 12 as a check that it bites) with
// a power-of-two scale per layer picked from the largest value seen on the images (with 2x
// headroom). IGDN's own arithmetic (square, 1x1 conv, sqrt) stays float here.
//   fixed_point_probe MODEL.vaem QUALITIES(comma list) IMAGE...
// Prints PSNR-YUV per variant and quality, averaged over the images (the activation ranges are
// measured on the same images first, as an export would on calibration data).
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "io/video_reader.h"
#include "metrics/psnr.h"
#include "model/intra.h"
#include "model/layout.h"
#include "model/vae.h"

using namespace vaec;

namespace {

void quantize_weights(model::IntraModel& m, int bits) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.net()->g_s->named_parameters()) {
    if (p.key().find("weight") == std::string::npos || p.value().dim() != 4) continue;  // conv kernels
    torch::Tensor w = p.value();
    const double qmax = std::pow(2.0, bits - 1) - 1;
    for (int64_t o = 0; o < w.size(0); ++o) {
      torch::Tensor wo = w[o];
      const double amax = wo.abs().max().item<double>();
      if (amax == 0) continue;
      const double scale = std::pow(2.0, std::floor(std::log2(qmax / amax)));
      wo.copy_(torch::round(wo * scale) / scale);
    }
  }
}

// Between-layer activations: records the largest |value| per point, or rounds to int16 with the
// scale those maxima give.
struct ActivationQuant {
  std::vector<double> max_abs;
  bool quantize = false;
  int bits = 16;
  size_t point = 0;
  torch::Tensor apply(const torch::Tensor& x) {
    const size_t i = point++;
    if (!quantize) {
      if (max_abs.size() <= i) max_abs.resize(i + 1, 0.0);
      max_abs[i] = std::max(max_abs[i], x.abs().max().item<double>());
      return x;
    }
    const double top = std::pow(2.0, bits - 1);
    const double scale = std::pow(2.0, std::floor(std::log2((top - 1) / (2.0 * max_abs[i]))));
    return torch::clamp(torch::round(x * scale), -top, top - 1) / scale;
  }
};

// g_s layer by layer (LibTorch's path), with the activations between layers through `aq`.
Frame synthesise_layers(model::IntraModel& m, const model::IntraLatents& lat, int w, int h, int q,
                        ActivationQuant* aq) {
  torch::NoGradGuard no_grad;
  aq->point = 0;
  torch::Tensor x = aq->apply(model::gained_latents(m, model::latents_q10(lat.y, lat.params), lat.y_shape, q));
  for (auto& layer : *m.net()->g_s) x = aq->apply(layer.forward(x));
  return model::tensor_to_frame(x, w, h);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL QUALITIES IMAGE...\n", argv[0]);
    return 2;
  }
  at::set_num_threads(2);
  std::vector<int> qualities;
  std::stringstream qs(argv[2]);
  for (std::string t; std::getline(qs, t, ',');) qualities.push_back(std::stoi(t));
  std::vector<Frame> images;
  for (int a = 3; a < argc; ++a) {
    Frame f;
    if (io::VideoReader::open(argv[a])->read(f)) images.push_back(std::move(f));
  }
  struct Variant {
    const char* name;
    int weight_bits;      // 0: float weights
    int activation_bits;  // 0: float activations
  };
  const Variant variants[] = {{"float (LibTorch path)", 0, 0},      {"int16 activations", 0, 16},
                              {"int16 weights", 16, 0},              {"int16 weights + activations", 16, 16},
                              {"int12 activations", 0, 12},          {"int8 weights", 8, 0},
                              {"int8 weights + int16 activations", 8, 16}};
  for (const Variant& v : variants) {
    model::IntraModel m = model::IntraModel::load(argv[1]);
    m.use_libtorch_synthesis(true);
    if (v.weight_bits) quantize_weights(m, v.weight_bits);
    std::vector<double> sum(qualities.size(), 0.0);
    for (size_t k = 0; k < qualities.size(); ++k) {
      ActivationQuant aq;  // ranges per quality: a decoder would fix them per layer at export
      aq.bits = v.activation_bits;
      for (int pass = v.activation_bits ? 0 : 1; pass < 2; ++pass) {
        aq.quantize = pass == 1 && v.activation_bits;
        for (const Frame& f : images) {
          const model::IntraLatents lat = model::analyse(m, f, qualities[k]);
          const Frame out = synthesise_layers(m, lat, f.width, f.height, qualities[k], &aq);
          if (pass == 1) sum[k] += metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, out));
        }
      }
    }
    std::printf("%-34s", v.name);
    for (size_t k = 0; k < qualities.size(); ++k) std::printf("  q%d %.3f dB", qualities[k], sum[k] / images.size());
    std::printf("\n");
  }
  return 0;
}
