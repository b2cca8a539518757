// motion_rd MODEL VIDEO... [--frames N] [--gop G] [--qualities 20,30,40,50] [--verbose]: real bytes and
// PSNR-YUV of the frame encoder (coding/enc_frame.h) without and with motion P-frames
// (EncoderOptions::motion), on each video's first N frames, and the BD-rate between them
// (docs/inter-frames.md). The decoder's pictures equal the encoder's reconstructions (tests), so
// these are the decoded pictures' figures. --verbose: each frame's kind, bytes and PSNR too.
// With motion it also prints, per quality:
//   drift: the mean PSNR-YUV of the last 4 frames of each whole GOP minus that of its first 4
//     P-frames (negative: the pictures get worse along the GOP);
//   P/I: the mean P-frame's bytes over the bytes an I-frame needs for the same PSNR-YUV, the
//     I-frames' curve measured all-intra (GOP 1) at the same qualities and interpolated
//     log-linearly in PSNR (the "P-frames <= 0.15 of an I-frame at equal PSNR").
// A measurement, not a test.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "coding/enc_frame.h"
#include "coding/motion_payload.h"
#include "compare/bd_rate.h"
#include "io/video_reader.h"
#include "metrics/psnr.h"

using namespace vaec;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: motion_rd MODEL VIDEO... [--frames N] [--gop G] [--qualities a,b,c,d]\n");
    return 2;
  }
  int frames = 33, gop = 32;
  bool verbose = false;
  std::vector<int> qualities = {20, 30, 40, 50};
  std::vector<std::string> videos;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc) frames = std::atoi(argv[++i]);
    else if (a == "--gop" && i + 1 < argc) gop = std::atoi(argv[++i]);
    else if (a == "--verbose") verbose = true;
    else if (a == "--qualities" && i + 1 < argc) {
      qualities.clear();
      std::stringstream ss(argv[++i]);
      for (std::string q; std::getline(ss, q, ',');) qualities.push_back(std::stoi(q));
    } else videos.push_back(a);
  }
  at::set_num_threads(2);
  model::IntraModel m = model::IntraModel::load(argv[1]);
  double sum_bd = 0;
  int n_bd = 0;
  for (const std::string& path : videos) {
    std::vector<Frame> video;
    auto reader = io::VideoReader::open(path);
    for (Frame f; int(video.size()) < frames && reader->read(f);) video.push_back(f);
    if (video.empty()) continue;
    const double pixels = double(video[0].width) * video[0].height * double(video.size());
    std::vector<compare::RdPoint> curve[2];
    // The all-intra curve: mean I-frame bytes and PSNR at each quality.
    std::vector<std::pair<double, double>> intra_curve;  // (psnr, bytes), by quality
    for (int q : qualities) {
      coding::EncoderOptions o;
      o.quality = q;
      o.gop = 1;
      coding::FrameEncoder encoder(m, o);
      double bytes = 0, psnr = 0;
      for (const Frame& f : video) {
        bytes += double(encoder.encode(f).payload.size());
        psnr += metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, encoder.last_reconstruction()));
      }
      intra_curve.push_back({psnr / double(video.size()), bytes / double(video.size())});
    }
    std::sort(intra_curve.begin(), intra_curve.end());
    // Bytes of an I-frame of this PSNR (log-linear between the measured points, extrapolated
    // from the nearest two outside them).
    auto intra_bytes_at = [&](double psnr) {
      size_t i = 1;
      while (i + 1 < intra_curve.size() && intra_curve[i].first < psnr) ++i;
      const auto& a = intra_curve[i - 1];
      const auto& b = intra_curve[i];
      const double t = (psnr - a.first) / (b.first - a.first);
      return std::exp(std::log(a.second) + t * (std::log(b.second) - std::log(a.second)));
    };
    for (int q : qualities) {
      std::printf("%s q%d:", path.c_str(), q);
      for (int motion = 0; motion < 2; ++motion) {
        coding::EncoderOptions o;
        o.quality = q;
        o.gop = gop;
        o.motion = motion;
        coding::FrameEncoder encoder(m, o);
        double bytes = 0, psnr = 0;
        int motion_frames = 0, kinds[3] = {0, 0, 0};  // motion P-frames by residual (motion_payload.h)
        std::vector<double> frame_psnr_of, p_bytes, p_psnr;
        std::vector<bool> is_intra;
        for (const Frame& f : video) {
          const coding::CodedFrame c = encoder.encode(f);
          bytes += double(c.payload.size());
          const bool motion_frame = c.type == coding::FrameType::kInter && c.payload[0] == coding::kMotionPayloadMarker;
          if (motion_frame) {
            ++motion_frames;
            ++kinds[c.payload[2] % 3];
          }
          const double frame_psnr = metrics::psnr_from_mse(metrics::weighted_mse_yuv(f, encoder.last_reconstruction()));
          psnr += frame_psnr;
          frame_psnr_of.push_back(frame_psnr);
          is_intra.push_back(c.type == coding::FrameType::kIntra);
          if (c.type == coding::FrameType::kInter) p_bytes.push_back(double(c.payload.size())), p_psnr.push_back(frame_psnr);
          if (verbose)
            std::fprintf(stderr, "  %s %s %6zu B %.2f dB\n", motion ? "motion " : "latent ",
                         c.type == coding::FrameType::kIntra ? "I      "
                         : !motion_frame                     ? "P      "
                         : c.payload[2] == 0                 ? "skip   "
                         : c.payload[2] == 1                 ? "intra-r"
                                                             : "transf ",
                         c.payload.size(), frame_psnr);
        }
        curve[motion].push_back({8 * bytes / pixels, psnr / double(video.size())});
        std::printf("  %s %.4f bpp %.3f dB", motion ? "| with motion" : "without", curve[motion].back().rate,
                    curve[motion].back().psnr);
        if (motion) {
          std::printf(" (%d motion P-frames: %d skip, %d intra residual, %d transform residual)", motion_frames, kinds[0],
                      kinds[1], kinds[2]);
          // Drift over each GOP that runs to its end (an I-frame, then at least 8 P-frames).
          double drift = 0;
          int gops = 0;
          for (size_t start = 0; start < video.size(); ++start) {
            if (!is_intra[start]) continue;
            size_t end = start + 1;
            while (end < video.size() && !is_intra[end]) ++end;
            if (end - start < 9 || (end == video.size() && end - start < size_t(gop))) continue;
            double first = 0, last = 0;
            for (int k = 0; k < 4; ++k) first += frame_psnr_of[start + 1 + k], last += frame_psnr_of[end - 4 + k];
            drift += (last - first) / 4;
            ++gops;
          }
          if (gops) std::printf(" drift %+.2f dB over %d GOP(s)", drift / gops, gops);
          if (!p_bytes.empty()) {
            double b = 0, ps = 0;
            for (size_t k = 0; k < p_bytes.size(); ++k) b += p_bytes[k], ps += p_psnr[k];
            b /= double(p_bytes.size());
            ps /= double(p_bytes.size());
            std::printf(" P/I %.3f (P %.0f B at %.2f dB; I at that PSNR %.0f B)", b / intra_bytes_at(ps), b, ps,
                        intra_bytes_at(ps));
          }
        }
      }
      std::printf("\n");
      std::fflush(stdout);
    }
    if (const auto bd = compare::bd_rate(curve[0], curve[1])) {
      std::printf("%s: BD-rate with motion vs without %+.2f %%\n", path.c_str(), *bd);
      sum_bd += *bd;
      ++n_bd;
    }
  }
  if (n_bd) std::printf("mean BD-rate over %d videos: %+.2f %%\n", n_bd, sum_bd / n_bd);
  return 0;
}
