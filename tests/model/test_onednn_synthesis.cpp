// The oneDNN synthesis path must compute VaeImpl's g_s (to float rounding), on any region
// and thread count, for the shapes the codec ships and the small ones tests use.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "model/onednn_synthesis.h"
#include "model/vae.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec::model;

namespace {

Vae trained_looking_network(int64_t N, int64_t M) {
  torch::manual_seed(3);
  VaeConfig c;
  c.N = N;
  c.M = M;
  c.Nz = 8;
  c.lambdas = {0.001, 0.01};
  Vae net(c);
  net->eval();
  // Random GDN parameters, so IGDN is not the near-identity of its initialisation.
  torch::NoGradGuard no_grad;
  for (auto& p : net->g_s->named_parameters())
    if (p.key().find("gamma") != std::string::npos || p.key().find("beta") != std::string::npos)
      p.value().uniform_(0.05, 0.6);
  return net;
}

double max_relative_error(const torch::Tensor& got, const torch::Tensor& want) {
  return ((got - want).abs().max() / want.abs().max().clamp_min(1e-6)).item<double>();
}

}  // namespace

TEST_CASE("oneDNN synthesis computes g_s", "[model]") {
  torch::NoGradGuard no_grad;
  at::set_num_threads(2);
  const auto [N, M] = GENERATE(std::make_pair<int64_t, int64_t>(64, 128), std::make_pair<int64_t, int64_t>(16, 24));
  Vae net = trained_looking_network(N, M);
  auto fast = OnednnSynthesis::create(net);
  REQUIRE(fast != nullptr);  // every x86-64 CPU with SSE4.1 has oneDNN JIT kernels for it

  // Odd sizes, and a non-contiguous view of a larger tensor (regions are narrowed views).
  const torch::Tensor big = torch::randn({1, M, 9, 13}) * 4;
  const torch::Tensor y = big.narrow(2, 1, 5).narrow(3, 2, 7);
  const torch::Tensor want = net->synthesis(y.contiguous());
  const torch::Tensor got = fast->run(y);
  REQUIRE(got.sizes() == want.sizes());
  CHECK(got.is_contiguous());
  CHECK(max_relative_error(got, want) < 1e-4);

  SECTION("the result does not depend on the thread count") {
    at::set_num_threads(1);
    const torch::Tensor one = fast->run(y);
    at::set_num_threads(2);
    CHECK(torch::equal(one, fast->run(y)));
  }

  SECTION("a region equals the same samples of the whole frame, away from its edges") {
    // g_s reaches 2 latents (IncrementalSynthesis::kHalo); 8 samples per latent.
    const torch::Tensor whole = fast->run(big);
    const torch::Tensor part = fast->run(big.narrow(2, 1, 7).narrow(3, 3, 8));
    CHECK(torch::equal(part.narrow(2, 16, 24).narrow(3, 16, 32), whole.narrow(2, 24, 24).narrow(3, 40, 32)));
  }
}

TEST_CASE("oneDNN synthesis declines networks it does not run", "[model]") {
  VaeConfig c;
  c.N = 12;  // not a multiple of oneDNN's 8-channel blocks
  c.M = 24;
  c.Nz = 8;
  c.lambdas = {0.01};
  Vae net(c);
  CHECK(OnednnSynthesis::create(net) == nullptr);
}
