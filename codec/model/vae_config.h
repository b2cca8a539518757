// The model's configuration and its quality map, without LibTorch: what a decoder needs to
// know of a model (model/decoding_model.h) and what the trainer builds the networks from
// (model/vae.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vaec::model {

struct VaeConfig {
  int64_t N = 64;    // hidden channels of the transforms
  int64_t M = 128;   // latent channels (y)
  int64_t Nz = 64;   // hyper-latent channels (z)
  int64_t Ns = 0;    // hidden channels of the synthesis transform g_s; 0: N (a narrower g_s
                     // decodes faster, docs/performance.md)
  // lambda of each gain level, ascending (loss = bpp + lambda * 255^2 * MSE_YUV).
  std::vector<double> lambdas = default_lambdas();

  static std::vector<double> default_lambdas();
  int64_t levels() const { return int64_t(lambdas.size()); }
  int64_t synthesis_channels() const { return Ns > 0 ? Ns : N; }
};

// Frames are padded to a multiple of this many luma pixels (g_a and h_a downsample 64x).
constexpr int64_t kLumaMultiple = 64;
// The smallest Gaussian scale the model uses (as in CompressAI's GaussianConditional).
constexpr double kScaleBound = 0.11;

// Maps --quality 1..100 linearly onto a continuous gain level min_level..levels-1. A negative
// min_level extrapolates the gains of levels 0 and 1 to rates below the lowest trained lambda
// (the model file sets it, docs/training.md §1); it is clamped to kLowestLevel.
double quality_to_level(int quality, int64_t levels, double min_level = 0);
// The rate-distortion lambda at a continuous gain level: log-linear between trained levels (as
// the gains are), extrapolated from the lowest two below level 0.
double lambda_at_level(const std::vector<double>& lambdas, double level);
constexpr double kLowestLevel = -3;

// The network configuration as JSON text, as model files and training checkpoints store it
// ("Ns" only when g_s is narrower than N, so older files read and re-export unchanged).
std::string config_to_json(const VaeConfig& c);
VaeConfig config_from_json(const std::string& text);  // throws on a malformed configuration

}  // namespace vaec::model
