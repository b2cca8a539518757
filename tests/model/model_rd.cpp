// Not a test: real rate-distortion of the intra model through the rANS coder.
//   model_rd MODEL.vaem QUALITIES(comma list) IMAGE...
// For each image and quality: analyse, entropy-code z (table = channel) and y (Gaussian table
// per symbol) into real bytes, decode them back (z -> integer h_s -> indices -> y), check the
// symbols round-trip, synthesise, and report bits per pixel (real bytes) and PSNR-YUV, of the
// integer synthesis (what decoders output) and of the float g_s it approximates (the same
// bits), and the BD-rate of the integer pictures against the float ones per image.
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"
#include "compare/bd_rate.h"
#include "io/video_reader.h"
#include "metrics/psnr.h"
#include "model/intra.h"

using namespace vaec;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s MODEL QUALITIES IMAGE...\n", argv[0]);
    return 2;
  }
  at::set_num_threads(2);
  model::IntraModel m = model::IntraModel::load(argv[1]);
  entropy::CdfTableSet gauss;
  if (!entropy::build_gaussian_tables(&gauss).ok()) return 1;
  std::vector<int> qualities;
  std::stringstream qs(argv[2]);
  for (std::string t; std::getline(qs, t, ',');) qualities.push_back(std::stoi(t));
  std::vector<double> sum_bpp(qualities.size()), sum_psnr(qualities.size()), sum_float(qualities.size());
  double sum_bd = 0;
  int n = 0, n_bd = 0;
  for (int a = 3; a < argc; ++a) {
    Frame f;
    if (!io::VideoReader::open(argv[a])->read(f)) continue;
    ++n;
    std::vector<compare::RdPoint> integer_curve, float_curve;
    for (size_t k = 0; k < qualities.size(); ++k) {
      const int q = qualities[k];
      model::IntraLatents lat = model::analyse(m, f, q);
      std::vector<int32_t> z_index(lat.z.size());
      const size_t zplane = size_t(lat.z_shape.height) * lat.z_shape.width;
      for (size_t i = 0; i < z_index.size(); ++i) z_index[i] = int32_t(i / zplane);
      std::vector<uint8_t> zb, yb;
      if (!entropy::enc_rans(m.z_tables(), lat.z.data(), z_index.data(), lat.z.size(), &zb).ok() ||
          !entropy::enc_rans(gauss, lat.y.data(), lat.scale_index.data(), lat.y.size(), &yb).ok())
        return 1;
      // Decoder side: only the bytes, the model and the frame size.
      std::vector<int32_t> z(lat.z.size()), y(lat.y.size());
      if (!entropy::dec_rans(m.z_tables(), zb.data(), zb.size(), z_index.data(), z.size(), z.data()).ok())
        return 1;
      const model::HyperParams p = model::hyper_params(m, z, lat.z_shape, 2);
      const auto idx = model::scale_indices(p);
      if (!entropy::dec_rans(gauss, yb.data(), yb.size(), idx.data(), y.size(), y.data()).ok() ||
          y != lat.y || z != lat.z) {
        std::fprintf(stderr, "%s q%d: round trip FAILED\n", argv[a], q);
        return 1;
      }
      const Frame out = model::synthesise(m, y, p, f.width, f.height, q);
      const double bpp = 8.0 * double(zb.size() + yb.size()) / (double(f.width) * f.height);
      const double db = metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, out));
      m.use_float_synthesis(true);
      const double db_float =
          metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, model::synthesise(m, y, p, f.width, f.height, q)));
      m.use_float_synthesis(false);
      sum_bpp[k] += bpp;
      sum_psnr[k] += db;
      sum_float[k] += db_float;
      integer_curve.push_back({bpp, db});
      float_curve.push_back({bpp, db_float});
      std::printf("%s q%d: %.4f bpp (z %zu B, y %zu B)  %.3f dB (float g_s %.3f dB)\n", argv[a], q, bpp, zb.size(),
                  yb.size(), db, db_float);
    }
    if (const auto bd = compare::bd_rate(float_curve, integer_curve)) {
      std::printf("%s: BD-rate integer vs float %+.3f %%\n", argv[a], *bd);
      sum_bd += *bd;
      ++n_bd;
    }
  }
  for (size_t k = 0; k < qualities.size(); ++k)
    std::printf("mean over %d images, q%d: %.4f bpp  %.3f dB PSNR-YUV (float g_s %.3f dB)\n", n, qualities[k],
                sum_bpp[k] / n, sum_psnr[k] / n, sum_float[k] / n);
  if (n_bd) std::printf("mean BD-rate integer vs float over %d images: %+.3f %%\n", n_bd, sum_bd / n_bd);
  return 0;
}
