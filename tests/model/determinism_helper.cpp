// Runs one side of the determinism check in its own process (tests/model/test_model.cpp):
//   encode MODEL LATENTS THREADS: make a seeded random model, save it, analyse a synthetic
//                                 frame, store z and the CDF indices/means the encoder used
//   decode MODEL LATENTS THREADS: load the model, recompute indices/means from z alone (as a
//                                 decoder does) and compare; exit 0 only when identical
#include <ATen/Parallel.h>
#include <torch/utils.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "model/intra.h"

using namespace vaec;
using namespace vaec::model;

namespace {

Frame synthetic_frame(int w, int h) {
  Frame f;
  f.allocate(w, h);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = 0; x < f.plane_width(p); ++x)
        f.planes[p][size_t(y) * f.plane_width(p) + x] =
            uint8_t((x * 7 + y * 3 + p * 50 + ((x * y) % 23) * 5) & 255);
  return f;
}

void write_ints(std::ofstream& out, const std::vector<int32_t>& v) {
  const uint64_t n = v.size();
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(n * sizeof(int32_t)));
}

std::vector<int32_t> read_ints(std::ifstream& in) {
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  std::vector<int32_t> v(n);
  in.read(reinterpret_cast<char*>(v.data()), std::streamsize(n * sizeof(int32_t)));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s encode|decode MODEL LATENTS THREADS\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1], model_path = argv[2], latents_path = argv[3];
  at::set_num_threads(std::stoi(argv[4]));
  const int W = 200, H = 136, Q = 60;
  try {
    if (mode == "encode") {
      torch::manual_seed(3);
      VaeConfig c;
      c.N = 32;
      c.M = 48;
      c.Nz = 24;
      IntraModel m = IntraModel::from_network(Vae(c));
      m.save(model_path);
      IntraLatents lat = analyse(m, synthetic_frame(W, H), Q);
      std::ofstream out(latents_path, std::ios::binary);
      write_ints(out, lat.z);
      write_ints(out, lat.scale_index);
      write_ints(out, lat.params.mean_q);
      std::printf("%016llx\n", (unsigned long long)xxhash64(lat.scale_index.data(), lat.scale_index.size() * 4));
      return out ? 0 : 1;
    }
    if (mode == "decode") {
      IntraModel m = IntraModel::load(model_path);
      std::ifstream in(latents_path, std::ios::binary);
      const auto z = read_ints(in), idx = read_ints(in), mean = read_ints(in);
      const HyperParams p = hyper_params(m, z, z_shape(m, W, H), at::get_num_threads());
      const auto idx2 = scale_indices(p);
      std::printf("%016llx\n", (unsigned long long)xxhash64(idx2.data(), idx2.size() * 4));
      return (idx2 == idx && p.mean_q == mean && !idx.empty()) ? 0 : 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 2;
}
