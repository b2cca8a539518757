// Not a test: times the intra model's stages on one frame size (default 1280x720).
//   model_speed [MODEL.vaem|-] [WIDTH HEIGHT] [THREADS]
// With "-" (or nothing) a random network of the shipped architecture is timed.
#include <ATen/Parallel.h>
#include <torch/utils.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "model/intra.h"
#include "model/layout.h"

using namespace vaec;
using namespace vaec::model;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "-";
  const int W = argc > 3 ? std::stoi(argv[2]) : 1280, H = argc > 3 ? std::stoi(argv[3]) : 720;
  const int threads = argc > 4 ? std::stoi(argv[4]) : 2;
  at::set_num_threads(threads);
  torch::manual_seed(1);
  IntraModel m = path == "-" ? IntraModel::from_network(Vae()) : IntraModel::load(path);
  Frame f;
  f.allocate(W, H);
  for (size_t i = 0; i < f.planes[0].size(); ++i) f.planes[0][i] = uint8_t((i * 2654435761u) >> 24);
  torch::NoGradGuard no_grad;
  auto& net = m.net();
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); };
  double t_ga = 1e9, t_ha = 1e9, t_hs = 1e9, t_gs = 1e9, t_enc = 1e9, t_dec = 1e9;
  std::vector<double> t_layer(net->g_s->size(), 1e9);
  std::vector<std::string> layer_out(net->g_s->size());
  for (int rep = 0; rep < 5; ++rep) {
    const at::Tensor x = pad_to_multiple(frame_to_tensor(f), kLumaMultiple / 2)
                             .contiguous(at::MemoryFormat::ChannelsLast);
    auto t = Clock::now();
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
    at::Tensor h = y.contiguous(at::MemoryFormat::ChannelsLast);
    for (size_t i = 0; i < net->g_s->size(); ++i) {
      t = Clock::now();
      h = (net->g_s->begin() + i)->forward(h);
      t_layer[i] = std::min(t_layer[i], ms(t));
      layer_out[i] = h.is_contiguous(at::MemoryFormat::ChannelsLast) ? "channels-last" : "NCHW";
    }
    t = Clock::now();
    const IntraLatents lat = analyse(m, f, 50);
    t_enc = std::min(t_enc, ms(t));
    t = Clock::now();
    const HyperParams p2 = hyper_params(m, lat.z, lat.z_shape, threads);
    synthesise(m, lat.y, p2, W, H, 50);
    t_dec = std::min(t_dec, ms(t));
  }
  std::printf("%dx%d, %d threads (best of 5, ms): g_a %.1f  h_a %.1f  integer h_s+indices %.1f  "
              "g_s %.1f | analyse() %.1f  decode (h_s + synthesise) %.1f\n",
              W, H, threads, t_ga, t_ha, t_hs, t_gs, t_enc, t_dec);
  for (size_t i = 0; i < t_layer.size(); ++i)
    std::printf("  g_s layer %zu %-16s %6.1f ms  (output %s)\n", i, (net->g_s->begin() + i)->ptr()->name().c_str(),
                t_layer[i], layer_out[i].c_str());
  return 0;
}
