// motion_rd MODEL VIDEO... [--frames N] [--gop G] [--qualities 20,30,40,50] [--verbose]: real bytes and
// PSNR-YUV of the frame encoder (coding/enc_frame.h) without and with motion P-frames
// (EncoderOptions::motion), on each video's first N frames, and the BD-rate between them
// (docs/inter-frames.md). The decoder's pictures equal the encoder's reconstructions (tests), so
// these are the decoded pictures' figures. --verbose: each frame's kind, bytes and PSNR too.
// A measurement, not a test.
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
        if (motion)
          std::printf(" (%d motion P-frames: %d skip, %d intra residual, %d transform residual)", motion_frames, kinds[0],
                      kinds[1], kinds[2]);
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
