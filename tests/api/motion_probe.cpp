// motion_probe VIDEO... [--frames N] [--lambda L]: how much block motion (coding/enc_motion.h) predicts of
// each frame from the previous one, against no motion: mean PSNR-Y of the prediction, share of
// blocks that move, vector bits. A measurement for issue 21 (docs/inter-frames.md), not a test.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "coding/enc_motion.h"
#include "io/video_reader.h"
#include "metrics/psnr.h"

using namespace vaec;

int main(int argc, char** argv) {
  int frames = 33;
  coding::MotionSearchOptions options;
  std::vector<std::string> videos;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc) frames = std::atoi(argv[++i]);
    else if (a == "--lambda" && i + 1 < argc) options.lambda = std::atof(argv[++i]);
    else videos.push_back(a);
  }
  if (videos.empty()) {
    std::fprintf(stderr, "usage: motion_probe VIDEO... [--frames N] [--lambda L]\n");
    return 2;
  }
  for (const std::string& path : videos) {
    auto reader = io::VideoReader::open(path);
    Frame prev, cur, pred;
    if (!reader->read(prev)) continue;
    coding::MotionField last;
    double sum_zero = 0, sum_mc = 0, sum_bits = 0, sum_moving = 0, ms = 0;
    int n = 0;
    while (n + 1 < frames && reader->read(cur)) {
      const double zero = metrics::psnr_from_mse(metrics::mse(prev.planes[0].data(), cur.planes[0].data(), cur.planes[0].size()));
      const auto t0 = std::chrono::steady_clock::now();
      const coding::MotionField f = coding::estimate_motion(cur, prev, options, n ? &last : nullptr);
      ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      coding::predict_picture(prev, f, &pred);
      const double mc = metrics::psnr_from_mse(metrics::mse(pred.planes[0].data(), cur.planes[0].data(), cur.planes[0].size()));
      int moving = 0, bits = 0;
      for (int r = 0; r < f.rows; ++r)
        for (int c = 0; c < f.cols; ++c) {
          const coding::MotionVector v = f.at(r, c), p = coding::predicted_vector(f, r, c);
          moving += v != coding::MotionVector{};
          bits += coding::vector_bits({v.x - p.x, v.y - p.y});
        }
      sum_zero += zero, sum_mc += mc, sum_bits += bits, sum_moving += double(moving) / f.vectors.size();
      last = f;
      prev = cur;
      ++n;
    }
    if (!n) continue;
    std::printf("%s (lambda %g): %dx%d, %d frame pairs: prediction PSNR-Y no motion %.2f dB, block motion %.2f dB (+%.2f); "
                "%.0f %% of blocks move; %.0f vector bits/frame (%.4f bpp); search %.1f ms/frame\n",
                path.c_str(), options.lambda, cur.width, cur.height, n, sum_zero / n, sum_mc / n, (sum_mc - sum_zero) / n,
                100 * sum_moving / n, sum_bits / n, sum_bits / n / (double(cur.width) * cur.height), ms / n);
  }
  return 0;
}
