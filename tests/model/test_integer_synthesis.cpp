// The integer synthesis (model/integer_synthesis.h): exact square roots, every instruction-set
// level and thread count giving the same pixels, regions equal to the whole frame, closeness to
// the float g_s it approximates, and model files whose integer parameters are damaged or hostile
// refused at load.
#include <ATen/Parallel.h>
#include <torch/utils.h>

#include <cmath>
#include <random>

#include "model/integer_synthesis.h"
#include "model/intra.h"
#include "model/quantize_synthesis.h"
#include "model/tensor_file.h"
#include "support/test_support.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;
using namespace vaec::model;

namespace {

IntraModel random_model(int64_t M = 24, int64_t S = 16) {
  torch::manual_seed(11);
  VaeConfig c;
  c.N = 16;
  c.Ns = S;
  c.M = M;
  c.Nz = 8;
  c.lambdas = {0.001, 0.01, 0.1};
  return IntraModel::from_network(Vae(c));
}

Frame test_picture(int w, int h) {
  Frame f;
  f.allocate(w, h);
  std::mt19937 rng(3);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      for (int x = 0; x < f.plane_width(p); ++x)
        f.planes[p][size_t(y) * f.plane_width(p) + x] =
            uint8_t(std::clamp(128 + int(60 * std::sin(x * 0.2 + p) * std::cos(y * 0.13)) + int(rng() % 21) - 10, 0, 255));
  return f;
}

std::vector<int64_t> latents(IntraModel& m, const Frame& f, int q) {
  const IntraLatents lat = analyse(m, f, q);
  return latents_q10(lat.y, lat.params);
}

std::vector<CpuLevel> available_levels() {
  std::vector<CpuLevel> levels{CpuLevel::kGeneric};
  if (int(detected_cpu_level()) >= int(CpuLevel::kAvx2)) levels.push_back(CpuLevel::kAvx2);
  if (detected_cpu_level() == CpuLevel::kAvx512) levels.push_back(CpuLevel::kAvx512);
  return levels;
}

bool same_pixels(const Frame& a, const Frame& b) { return a.same_size(b) && a.planes == b.planes; }

double psnr(const Frame& a, const Frame& b) {
  double se = 0;
  size_t n = 0;
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < a.planes[p].size(); ++i, ++n) {
      const double d = double(a.planes[p][i]) - b.planes[p][i];
      se += d * d;
    }
  return se == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 * double(n) / se);
}

}  // namespace

TEST_CASE("isqrt64 is the exact floor of the square root", "[model][integer]") {
  for (uint64_t n : {0ull, 1ull, 2ull, 3ull, 4ull, 15ull, 16ull, 17ull, (1ull << 32) - 1, 1ull << 32,
                     (1ull << 62) + 12345, (1ull << 63) - 1, ~0ull}) {
    const uint64_t r = isqrt64(n);
    CHECK(r * r <= n);
    if (r < 0xFFFFFFFFu) CHECK((r + 1) * (r + 1) > n);
  }
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t n = rng() >> (rng() % 64);
    const uint64_t r = isqrt64(n);
    REQUIRE(r * r <= n);
    REQUIRE((r + 1) * (r + 1) > n);
  }
}

TEST_CASE("every instruction-set level and thread count synthesises the same pixels", "[model][integer]") {
  IntraModel m = random_model();
  const Frame f = test_picture(150, 90);  // odd multiples: padding and cropping on both axes
  for (int q : {1, 60, 100}) {
    const auto y = latents(m, f, q);
    m.set_cpu_level(CpuLevel::kGeneric);
    at::set_num_threads(1);
    const Frame reference = synthesise_q10(m, y, f.width, f.height, q);
    for (CpuLevel level : available_levels())
      for (int threads : {1, 2, 3, 4}) {
        m.set_cpu_level(level);
        at::set_num_threads(threads);
        INFO("quality " << q << ", " << cpu_level_name(level) << ", " << threads << " threads");
        CHECK(same_pixels(synthesise_q10(m, y, f.width, f.height, q), reference));
      }
  }
  at::set_num_threads(1);
}

TEST_CASE("a region synthesised with its halo equals the whole frame there", "[model][integer]") {
  IntraModel m = random_model();
  const Frame f = test_picture(256, 192);
  const int q = 70;
  const auto y = latents(m, f, q);
  const LatentShape s = y_shape(m, f.width, f.height);
  const Frame whole = synthesise_q10(m, y, f.width, f.height, q);
  for (CpuLevel level : available_levels()) {
    Frame part;
    part.allocate(f.width, f.height);
    // Latents rows 3..7, columns 5..11, with a halo of 2 (g_s reaches 2 latents).
    const IntegerSynthesis::Region write{3, 7, 5, 11}, r{1, 9, 3, 13};
    m.integer_synthesis().run(y.data(), s.height, s.width, r, write, q, level, 2, &part);
    for (int ly = 16 * write.row0; ly < 16 * write.row1; ++ly)
      for (int lx = 16 * write.col0; lx < 16 * write.col1; ++lx)
        REQUIRE(part.planes[0][size_t(ly) * f.width + lx] == whole.planes[0][size_t(ly) * f.width + lx]);
    const int cw = Frame::chroma_extent(f.width);
    for (int p = 1; p < 3; ++p)
      for (int cy = 8 * write.row0; cy < 8 * write.row1; ++cy)
        for (int cx = 8 * write.col0; cx < 8 * write.col1; ++cx)
          REQUIRE(part.planes[p][size_t(cy) * cw + cx] == whole.planes[p][size_t(cy) * cw + cx]);
  }
}

TEST_CASE("the integer synthesis stays close to the float g_s", "[model][integer]") {
  // Random weights are a harsher test of the ranges than trained ones; the tolerance is what
  // the shipped models do by far (docs/performance.md: their integer pictures are within
  // 0.0x dB of the float ones).
  IntraModel m = random_model();
  const Frame f = test_picture(192, 128);
  for (int q : {1, 50, 100}) {
    const auto y = latents(m, f, q);
    const Frame integer = synthesise_q10(m, y, f.width, f.height, q);
    m.use_float_synthesis(true);
    const Frame reference = synthesise_q10(m, y, f.width, f.height, q);
    m.use_float_synthesis(false);
    INFO("quality " << q);
    CHECK(psnr(integer, reference) > 45.0);
    int worst = 0;
    for (int p = 0; p < 3; ++p)
      for (size_t i = 0; i < integer.planes[p].size(); ++i)
        worst = std::max(worst, std::abs(int(integer.planes[p][i]) - int(reference.planes[p][i])));
    CHECK(worst <= 4);
  }
}

TEST_CASE("integer synthesis parameters out of range are refused", "[model][integer]") {
  IntraModel m = random_model();
  const IntegerSynthesisParams good = m.integer_synthesis().params();
  CHECK_NOTHROW(IntegerSynthesis(good));
  auto refused = [&](auto&& damage, const char* message) {
    IntegerSynthesisParams p = good;
    damage(p);
    CHECK_THROWS_WITH(IntegerSynthesis(p), Catch::Contains(message));
  };
  refused([](auto& p) { p.conv[1].shift[3] = 0; }, "shift outside 1..24");
  refused([](auto& p) { p.conv[2].shift[0] = 25; }, "shift outside 1..24");
  refused([](auto& p) { p.conv[0].weight[7] = -32768; }, "-32768");
  refused([](auto& p) { p.conv[0].weight.pop_back(); }, "wrong size");
  refused([](auto& p) { p.igdn[0].gamma[2] = -1; }, "negative gamma");
  refused([](auto& p) { p.igdn[1].beta[0] = -5; }, "beta outside");
  refused([](auto& p) { p.igdn[0].beta[2] = int64_t(1) << 56; }, "beta outside");
  refused([](auto& p) { p.igdn[1].shift[1] = 63; }, "1..62");
  refused([](auto& p) { p.inverse_gain[4] = 0; }, "inverse gain");
  refused([](auto& p) { p.input_shift = 41; }, "input shift");
  refused([](auto& p) { p.hidden_channels = 12; }, "multiple of 8");
}

TEST_CASE("a model file with hostile integer synthesis tensors is refused at load", "[model][integer]") {
  IntraModel m = random_model();
  const std::vector<uint8_t> bytes = m.serialize();
  REQUIRE_NOTHROW(IntraModel::parse(bytes, "good"));
  const std::string magic("VAEMODEL", 8);
  auto tampered = [&](const std::string& name, auto&& change) {
    TensorFile f = decode_tensor_file(bytes, magic, kModelFileVersion, "model");
    for (auto& [n, t] : f.tensors)
      if (n == name) {
        t = t.clone();
        change(t);
      }
    return encode_tensor_file(f, magic, kModelFileVersion);
  };
  CHECK_THROWS_WITH(IntraModel::parse(tampered("g_s_int/conv2/shift", [](at::Tensor& t) { t[0] = 40; }), "m.vaem"),
                    Catch::Contains("m.vaem") && Catch::Contains("shift"));
  CHECK_THROWS_WITH(IntraModel::parse(tampered("g_s_int/igdn1/gamma", [](at::Tensor& t) { t[5] = -100; }), "m.vaem"),
                    Catch::Contains("negative gamma"));
  CHECK_THROWS_WITH(IntraModel::parse(tampered("g_s_int/conv3/weight", [](at::Tensor& t) { t = t.narrow(0, 0, 10).clone(); }), "m.vaem"),
                    Catch::Contains("wrong size"));
  CHECK_THROWS_WITH(IntraModel::parse(tampered("g_s_int/conv1/bias", [](at::Tensor& t) { t = t.to(at::kLong); }), "m.vaem"),
                    Catch::Contains("bad tensor g_s_int/conv1/bias"));
  // A file of format 1 (before the integer synthesis) names the command that re-exports it.
  std::vector<uint8_t> old = bytes;
  old[8] = 1;
  CHECK_THROWS_WITH(IntraModel::parse(old, "old.vaem"), Catch::Contains("format 1") && Catch::Contains("--export"));
}
