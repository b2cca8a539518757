// Not a test: what latent optimization (coding/enc_latent_optimization.h, the `slow` preset)
// buys on stills, in real bytes and the integer synthesis' pictures.
//   latent_opt_rd MODEL.vaem QUALITIES(comma list) ITERATIONS LEARNING_RATE IMAGE...
// One line per image and quality, as tests/model/model_rd prints them (so
// scripts/model-rd-summary.py compares runs), with the encoder's rule: the optimised latents
// only where their real cost (bits + lambda * distortion) is lower. ITERATIONS 0 is the
// analysis alone. Seconds per optimization go to stderr.
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>

#include "coding/enc_intra.h"
#include "coding/enc_latent_optimization.h"
#include "io/video_reader.h"
#include "metrics/psnr.h"
#include "model/intra.h"

using namespace vaec;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s MODEL QUALITIES ITERATIONS LEARNING_RATE IMAGE...\n", argv[0]);
    return 2;
  }
  at::set_num_threads(2);
  model::IntraModel m = model::IntraModel::load(argv[1]);
  std::vector<int> qualities;
  std::stringstream qs(argv[2]);
  for (std::string t; std::getline(qs, t, ',');) qualities.push_back(std::stoi(t));
  coding::LatentOptimizationOptions opt;
  opt.iterations = std::stoi(argv[3]);
  opt.learning_rate = std::stod(argv[4]);
  double seconds = 0;
  int optimisations = 0, kept = 0;
  for (int a = 5; a < argc; ++a) {
    Frame f;
    if (!io::VideoReader::open(argv[a])->read(f)) continue;
    const double pixels = double(f.width) * f.height;
    for (int q : qualities) {
      const double lambda = m.lambda(q);
      auto code = [&](const model::AnalysedFrame& an, double* bpp, double* mse) {
        coding::Reference ref;
        const std::vector<uint8_t> payload = coding::encode_intra_payload(m, an, &ref);
        const Frame out = model::synthesise_q10(m, ref.y_hat_q10, f.width, f.height, q);
        *bpp = 8.0 * double(payload.size() - 1) / pixels;  // without the quality byte
        *mse = metrics::weighted_mse_yuv(f, out);
        return *bpp * pixels + lambda * *mse * pixels;
      };
      const model::AnalysedFrame analysed = model::analyse_transform(m, f, q);
      double bpp = 0, mse = 0;
      const double base_cost = code(analysed, &bpp, &mse);
      coding::LatentOptimizationReport report;
      if (opt.iterations > 0) {
        const auto t0 = std::chrono::steady_clock::now();
        const model::AnalysedFrame optimised = coding::optimise_latents(m, f, analysed, lambda, opt, &report);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ++optimisations;
        double bpp2 = 0, mse2 = 0;
        if (code(optimised, &bpp2, &mse2) < base_cost) bpp = bpp2, mse = mse2, ++kept;
      }
      std::printf("%s q%d: %.4f bpp  estimate %.0f -> %.0f (iteration %d)  %.3f dB\n", argv[a], q, bpp,
                  report.start_cost, report.best_cost, report.best_iteration, metrics::psnr_from_mse(mse));
      std::fflush(stdout);
    }
  }
  if (optimisations)
    std::fprintf(stderr, "%d optimizations, %.2f s each; optimised latents kept in %d\n", optimisations,
                 seconds / optimisations, kept);
  return 0;
}
