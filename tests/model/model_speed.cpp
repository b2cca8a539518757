// Not a test: times the intra model's stages on one frame size (default 1280x720).
//   model_speed [MODEL.vaem|-] [WIDTH HEIGHT] [THREADS]
// With "-" (or nothing) a random network of the shipped architecture is timed.
//   model_speed --synthesis-widths [WIDTH HEIGHT] [THREADS]
// times the codec's g_s (oneDNN path) for narrower random networks: what a cheaper,
// retrained synthesis would cost (docs/performance.md, "What it would take").
//   model_speed --synthesis MODEL.vaem [WIDTH HEIGHT] [THREADS]
// times the picture synthesis of decoding (whole frame from Q10 latents, pixels out): the
// float g_s (oneDNN) against the integer synthesis at every instruction-set level this CPU
// has, alternating, best of 7 each.
#include <ATen/Parallel.h>
#include <torch/utils.h>


#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>

#include "common/allocator.h"
#include "model/intra.h"
#include "model/layout.h"
#include "model/onednn_synthesis.h"

using namespace vaec;
using namespace vaec::model;

namespace {

int time_synthesis_widths(int W, int H) {
  torch::NoGradGuard no_grad;
  for (int64_t N : {64, 48, 32, 24, 16}) {
    VaeConfig c;
    c.N = N;
    Vae net(c);
    net->eval();
    auto g_s = OnednnSynthesis::create(net);
    if (!g_s) {
      std::printf("N=%ld: the oneDNN path does not run this width\n", long(N));
      continue;
    }
    const int64_t h = (H + kLumaMultiple - 1) / kLumaMultiple * 4, w = (W + kLumaMultiple - 1) / kLumaMultiple * 4;
    const at::Tensor y = torch::randn({1, c.M, h, w});
    double best = 1e9;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t = std::chrono::steady_clock::now();
      g_s->run(y);
      best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
    // Sub-pixel 3x3 convolutions at 1/16, 1/8 and 1/4 luma resolution, IGDN 1x1s between.
    const double at16 = double(h) * w, macs = at16 * 9 * c.M * 4 * N + 4 * at16 * (N * N + 9 * N * 4 * N) +
                                               16 * at16 * (N * N + 9 * N * 24);
    std::printf("N=%ld: g_s %.1f ms, %.2f GMAC (%.1f kMAC per luma pixel)\n", long(N), best, macs / 1e9,
                macs / (double(h) * w * 256) / 1e3);
  }
  return 0;
}

int time_float_vs_integer(const std::string& path, int W, int H, int threads) {
  IntraModel m = IntraModel::load(path);
  Frame f;
  f.allocate(W, H);
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < f.planes[p].size(); ++i) f.planes[p][i] = uint8_t(((i % 977) * 2654435761u) >> 24);
  const IntraLatents lat = analyse(m, f, 50);
  const std::vector<int64_t> y = latents_q10(lat.y, lat.params);
  std::vector<CpuLevel> levels{CpuLevel::kGeneric};
  if (int(detected_cpu_level()) >= int(CpuLevel::kAvx2)) levels.push_back(CpuLevel::kAvx2);
  if (detected_cpu_level() == CpuLevel::kAvx512) levels.push_back(CpuLevel::kAvx512);
  if (const char* only = std::getenv("VAEC_SPEED_CPU")) {  // one level only (for profiling)
    CpuLevel l;
    if (parse_cpu_level(only, &l)) levels = {l};
  }
  using Clock = std::chrono::steady_clock;
  double best_float = 1e9;
  std::vector<double> best(levels.size(), 1e9);
  for (int rep = 0; rep < 7; ++rep) {
    m.use_float_synthesis(true);
    auto t = Clock::now();
    synthesise_q10(m, y, W, H, 50);
    best_float = std::min(best_float, std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    m.use_float_synthesis(false);
    for (size_t k = 0; k < levels.size(); ++k) {
      if (levels[k] == CpuLevel::kGeneric && rep >= 2) continue;  // slow: 2 runs are enough
      m.set_cpu_level(levels[k]);
      t = Clock::now();
      synthesise_q10(m, y, W, H, 50);
      best[k] = std::min(best[k], std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    }
  }
  std::printf("%s %dx%d, %d threads, synthesis ms (best of 7): float %.1f", path.c_str(), W, H, threads, best_float);
  for (size_t k = 0; k < levels.size(); ++k) std::printf("  integer-%s %.1f", cpu_level_name(levels[k]), best[k]);
  std::printf("\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "-";
  if (path == "--synthesis" && argc > 2) {
    // model_speed --synthesis MODEL [W H] [THREADS]: arguments shift by one.
    const int w = argc > 4 ? std::stoi(argv[3]) : 1280, h = argc > 4 ? std::stoi(argv[4]) : 720;
    const int t = argc > 5 ? std::stoi(argv[5]) : 2;
    at::set_num_threads(t);
    keep_large_buffers_once();
    return time_float_vs_integer(argv[2], w, h, t);
  }
  const int W = argc > 3 ? std::stoi(argv[2]) : 1280, H = argc > 3 ? std::stoi(argv[3]) : 720;
  const int threads = argc > 4 ? std::stoi(argv[4]) : 2;
  at::set_num_threads(threads);
  // The heap settings of the library and the CLI: without them every frame's tensors are fresh
  // mmaps, and page faults add ~20 ms to g_a and g_s at 720p.
  keep_large_buffers_once();
  if (path == "--synthesis-widths") return time_synthesis_widths(W, H);
  torch::manual_seed(1);
  IntraModel m = path == "-" ? IntraModel::from_network(Vae()) : IntraModel::load(path);
  Frame f;
  f.allocate(W, H);
  for (size_t i = 0; i < f.planes[0].size(); ++i) f.planes[0][i] = uint8_t((i * 2654435761u) >> 24);
  torch::NoGradGuard no_grad;
  auto& net = m.net();
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); };
  double t_ga = 1e9, t_ha = 1e9, t_hs = 1e9, t_gs = 1e9, t_gs_codec = 1e9, t_enc = 1e9, t_dec = 1e9;
  double t_input = 1e9;
  // Per-layer times of a Sequential (best of the runs) and each output's memory format.
  struct LayerTimes {
    std::vector<double> ms;
    std::vector<std::string> format;
  };
  auto time_layers = [&](torch::nn::Sequential& seq, at::Tensor h, LayerTimes& out) {
    out.ms.resize(seq->size(), 1e9);
    out.format.resize(seq->size());
    for (size_t i = 0; i < seq->size(); ++i) {
      const auto t = Clock::now();
      h = (seq->begin() + i)->forward(h);
      out.ms[i] = std::min(out.ms[i], ms(t));
      out.format[i] = h.is_contiguous(at::MemoryFormat::ChannelsLast) ? "channels-last" : "NCHW";
    }
  };
  LayerTimes ga_layers, gs_layers;
  for (int rep = 0; rep < 5; ++rep) {
    auto t = Clock::now();
    const at::Tensor x = frame_to_padded_tensor(f, kLumaMultiple / 2);
    t_input = std::min(t_input, ms(t));
    time_layers(net->g_a, x, ga_layers);
    t = Clock::now();
    const at::Tensor y = net->analysis(x);
    t_ga = std::min(t_ga, ms(t));
    t = Clock::now();
    const at::Tensor z = torch::round(net->hyper_analysis(y)).to(torch::kInt).contiguous();
    t_ha = std::min(t_ha, ms(t));
    std::vector<int32_t> zv(z.data_ptr<int32_t>(), z.data_ptr<int32_t>() + z.numel());
    t = Clock::now();
    const HyperParams p = hyper_params(m, zv, z_shape(m, W, H), threads);
    const auto idx = scale_indices(p);
    t_hs = std::min(t_hs, ms(t));
    t = Clock::now();
    net->synthesis(y.contiguous(at::MemoryFormat::ChannelsLast));
    t_gs = std::min(t_gs, ms(t));
    t = Clock::now();
    m.synthesis(y);
    t_gs_codec = std::min(t_gs_codec, ms(t));
    time_layers(net->g_s, y.contiguous(at::MemoryFormat::ChannelsLast), gs_layers);
    t = Clock::now();
    const IntraLatents lat = analyse(m, f, 50);
    t_enc = std::min(t_enc, ms(t));
    t = Clock::now();
    const HyperParams p2 = hyper_params(m, lat.z, lat.z_shape, threads);
    synthesise(m, lat.y, p2, W, H, 50);
    t_dec = std::min(t_dec, ms(t));
  }
  std::printf("%dx%d, %d threads (best of 5, ms): g_a %.1f  h_a %.1f  integer h_s+indices %.1f  "
              "g_s %.1f (LibTorch) %.1f (codec's) | analyse() %.1f  decode (h_s + synthesise) %.1f\n",
              W, H, threads, t_ga, t_ha, t_hs, t_gs, t_gs_codec, t_enc, t_dec);
  std::printf("  frame -> padded channels-last tensor %.1f ms\n", t_input);
  for (auto [name, seq, times] : {std::tuple{"g_a", &net->g_a, &ga_layers}, {"g_s", &net->g_s, &gs_layers}})
    for (size_t i = 0; i < times->ms.size(); ++i)
      std::printf("  %s layer %zu %-32s %6.1f ms  (output %s)\n", name, i,
                  ((*seq)->begin() + i)->ptr()->name().c_str(), times->ms[i], times->format[i].c_str());
  return 0;
}
