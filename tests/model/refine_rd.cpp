// Not a test: real rate-distortion of the intra model plus the refinement layer.
//   refine_rd MODEL.vaem QUALITIES STEPS_Q4 IMAGE...
// For each image, quality and refinement step (1/16 pixel; 0 = none): intra-code the frame to
// real bytes, synthesise, code the residual with api/refinement, decode it back on a fresh
// copy of the synthesis, check both pictures agree, and report bpp (all bytes) and PSNR-YUV.
#include <ATen/Parallel.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "coding/dec_intra.h"
#include "coding/enc_intra.h"
#include "coding/dec_refinement.h"
#include "coding/enc_refinement.h"
#include "io/video_reader.h"
#include "metrics/psnr.h"
#include "model/intra.h"

using namespace vaec;

static std::vector<int> int_list(const char* s) {
  std::vector<int> out;
  std::stringstream ss(s);
  for (std::string t; std::getline(ss, t, ',');) out.push_back(std::stoi(t));
  return out;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s MODEL QUALITIES STEPS_Q4 IMAGE...\n", argv[0]);
    return 2;
  }
  at::set_num_threads(2);
  model::IntraModel m = model::IntraModel::load(argv[1]);
  const std::vector<int> qualities = int_list(argv[2]), steps = int_list(argv[3]);
  const size_t cells = qualities.size() * steps.size();
  std::vector<double> sum_bpp(cells), sum_psnr(cells);
  int n = 0;
  for (int a = 4; a < argc; ++a) {
    Frame f;
    if (!io::VideoReader::open(argv[a])->read(f)) continue;
    ++n;
    for (size_t k = 0; k < qualities.size(); ++k) {
      const int q = qualities[k];
      const std::vector<uint8_t> payload = coding::encode_intra_payload(m, f, q);
      coding::Reference ref;
      if (!coding::decode_intra_payload(m.decoding(), payload.data(), payload.size(), f.width, f.height, 1, &ref).ok()) return 1;
      const Frame base = model::synthesise_q10(m, ref.y_hat_q10, f.width, f.height, q);
      const coding::RefinementContext ctx = coding::refinement_context(ref, false);
      for (size_t s = 0; s < steps.size(); ++s) {
        Frame enc = base, dec = base;
        coding::RefinementOffsets offsets;
        size_t bytes = payload.size();
        if (steps[s] > 0) {
          const std::vector<uint8_t> r = coding::encode_refinement(f, steps[s], ctx, &enc, &offsets);
          bytes += r.size();
          if (!coding::decode_refinement(r.data(), r.size(), ctx, &dec, &offsets).ok() || dec.planes != enc.planes) {
            std::fprintf(stderr, "%s q%d step %d: round trip FAILED\n", argv[a], q, steps[s]);
            return 1;
          }
        }
        const double bpp = 8.0 * double(bytes) / (double(f.width) * f.height), db = metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, enc));
        sum_bpp[k * steps.size() + s] += bpp;
        sum_psnr[k * steps.size() + s] += db;
        std::printf("%s q%d s%d: %.4f bpp  %.2f dB\n", argv[a], q, steps[s], bpp, db);
      }
    }
  }
  for (size_t k = 0; k < qualities.size(); ++k)
    for (size_t s = 0; s < steps.size(); ++s)
      std::printf("mean over %d images, q%d s%d: %.4f bpp  %.2f dB PSNR-YUV\n", n, qualities[k], steps[s],
                  sum_bpp[k * steps.size() + s] / n, sum_psnr[k * steps.size() + s] / n);
  return 0;
}
