// The intra model: layout, shapes for odd sizes, the integer hyper-synthesis, the model file
// (round trip, hash, damage, version) and cross-process determinism of the CDF choice.
#include <ATen/Parallel.h>
#include <torch/utils.h>

#include <fstream>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"
#include "model/intra.h"
#include "model/layout.h"
#include "support/test_support.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;
using namespace vaec::model;

namespace {

// Small random networks keep these tests fast; the code paths are the shipped ones.
VaeConfig small_config() {
  VaeConfig c;
  c.N = 16;
  c.M = 24;
  c.Nz = 8;
  c.lambdas = {0.001, 0.01, 0.1};
  return c;
}

IntraModel small_model(uint64_t seed = 1) {
  torch::manual_seed(seed);
  return IntraModel::from_network(Vae(small_config()));
}

bool frames_equal(const Frame& a, const Frame& b) {
  return a.width == b.width && a.height == b.height && a.planes == b.planes;
}

}  // namespace

TEST_CASE("frame layout round-trips odd sizes exactly", "[model]") {
  for (auto [w, h] : {std::pair{1, 1}, {3, 5}, {67, 45}, {64, 64}, {131, 67}}) {
    const Frame f = test::make_frame(w, h, 2);
    const at::Tensor t = frame_to_tensor(f);
    CHECK(t.size(1) == 6);
    CHECK(t.size(2) == (h + 1) / 2);
    CHECK(t.size(3) == (w + 1) / 2);
    CHECK(frames_equal(tensor_to_frame(pad_to_multiple(t, 32), w, h), f));
    // The encoder's one-pass input: the same values, channels-last; read back in place.
    const at::Tensor padded = frame_to_padded_tensor(f, 32);
    CHECK(padded.is_contiguous(at::MemoryFormat::ChannelsLast));
    CHECK(torch::equal(padded, pad_to_multiple(t, 32)));
    CHECK(frames_equal(tensor_to_frame(padded, w, h), f));
  }
}

TEST_CASE("synthesis output becomes 8-bit samples rounded half to even and clamped", "[model]") {
  // Network outputs v on a 2^-10 grid: (v + 0.5) * 255 is then exact, ties (x.5) included,
  // from far below 0 to far above 255; plus NaN and huge values.
  std::vector<float> values;
  for (int k = -1500; k <= 2600; ++k) values.push_back(-0.5f + float(k) / 1024.0f);
  values.insert(values.end(), {std::nanf(""), 1e30f, -1e30f});
  const int n = int(values.size());
  const at::Tensor row = at::tensor(values).view({1, 1, 1, n});
  const at::Tensor planar = row.expand({1, 6, 1, n}).contiguous();
  const Frame f = tensor_to_frame(planar, 2 * n, 2);
  int wrong = 0, ties = 0;
  for (int j = 0; j < n; ++j) {
    const float x = (values[j] + 0.5f) * 255.0f;
    ties += x - std::floor(x) == 0.5f;
    const int want = std::isnan(x) ? 0 : int(std::clamp(std::nearbyint(x), 0.0f, 255.0f));
    wrong += f.planes[0][2 * j] != want || f.planes[0][2 * j + 1] != want || f.planes[1][j] != want;
  }
  CHECK(ties >= 3);
  CHECK(wrong == 0);
  // Strided (channels-last) tensors take the general path: the same bytes.
  CHECK(frames_equal(tensor_to_frame(planar.contiguous(at::MemoryFormat::ChannelsLast), 2 * n, 2), f));
}

TEST_CASE("analysis and synthesis handle odd frame sizes", "[model]") {
  IntraModel m = small_model();
  for (auto [w, h] : {std::pair{67, 45}, {130, 66}, {2, 2}}) {
    const Frame f = test::make_frame(w, h, 1);
    IntraLatents lat = analyse(m, f, 50);
    const int ph = (h + 63) / 64 * 64, pw = (w + 63) / 64 * 64;
    CHECK(lat.y_shape.height == ph / 16);
    CHECK(lat.y_shape.width == pw / 16);
    CHECK(lat.z_shape.height == ph / 64);
    CHECK(lat.y.size() == lat.y_shape.size());
    CHECK(lat.scale_index.size() == lat.y.size());
    const HyperParams p = hyper_params(m, lat.z, lat.z_shape);
    const Frame out = synthesise(m, lat.y, p, w, h, 50);
    CHECK(out.width == w);
    CHECK(out.height == h);
    CHECK(out.planes[1].size() == f.planes[1].size());
  }
}

TEST_CASE("integer hyper-synthesis tracks the float network", "[model]") {
  torch::manual_seed(5);
  Vae net(small_config());
  net->eval();
  const IntegerHyperSynthesis hs = quantize_hyper_synthesis(net);
  torch::NoGradGuard no_grad;
  const at::Tensor z = torch::randint(-6, 7, {1, 8, 3, 5}, torch::kInt);
  auto [mu, sigma] = net->hyper_synthesis(z.to(torch::kFloat));
  const at::Tensor zc = z.contiguous();
  const HyperParams p = hs.run(zc.data_ptr<int32_t>(), 3, 5);
  const HyperParams p3 = hs.run(zc.data_ptr<int32_t>(), 3, 5, 3);  // rows over 3 threads
  CHECK(p3.mean_q == p.mean_q);
  CHECK(p3.scale_q16 == p.scale_q16);
  REQUIRE(p.channels == 24);
  REQUIRE(p.height == 12);
  REQUIRE(p.width == 20);
  const at::Tensor mean_i = torch::from_blob(const_cast<int32_t*>(p.mean_q.data()), {1, 24, 12, 20}, torch::kInt)
                                .to(torch::kDouble) / 1024.0;
  const at::Tensor scale_i = torch::from_blob(const_cast<int32_t*>(p.scale_q16.data()), {1, 24, 12, 20}, torch::kInt)
                                 .to(torch::kDouble) / 65536.0;
  CHECK((mean_i - mu.to(torch::kDouble)).abs().max().item<double>() < 0.01);
  // Where sigma is above its bound, the integer scale is within 1 %.
  const at::Tensor raw = scale_i.clamp_min(kScaleBound);
  CHECK(((raw - sigma.to(torch::kDouble)).abs() / sigma.to(torch::kDouble)).max().item<double>() < 0.01);
}

TEST_CASE("model file save/load round trip keeps weights, tables and hash", "[model]") {
  test::TempDir dir;
  IntraModel m = small_model(2);
  m.save(dir.path("m.vaem"));
  IntraModel l = IntraModel::load(dir.path("m.vaem"));
  CHECK(l.content_hash() == m.content_hash());
  CHECK(l.z_tables().fingerprint() == m.z_tables().fingerprint());
  auto a = m.net()->named_parameters(), b = l.net()->named_parameters();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i].value(), b[i].value()));
  // Same decode result from both.
  const Frame f = test::make_frame(96, 80, 3);
  IntraLatents la = analyse(m, f, 30), lb = analyse(l, f, 30);
  CHECK(la.z == lb.z);
  CHECK(la.scale_index == lb.scale_index);
  CHECK(frames_equal(synthesise(m, la.y, la.params, 96, 80, 30),
                     synthesise(l, la.y, la.params, 96, 80, 30)));
}

TEST_CASE("the configuration records a narrower synthesis transform only when there is one", "[model]") {
  VaeConfig c = small_config();
  CHECK(config_to_json(c).find("Ns") == std::string::npos);  // files from before it read the same
  CHECK(config_from_json(config_to_json(c)).synthesis_channels() == c.N);
  c.Ns = 8;
  const VaeConfig back = config_from_json(config_to_json(c));
  CHECK(back.synthesis_channels() == 8);
  CHECK(back.N == c.N);
  torch::manual_seed(2);
  IntraModel m = IntraModel::from_network(Vae(c));
  test::TempDir dir;
  m.save(dir.path("narrow.vaem"));
  IntraModel loaded = IntraModel::load(dir.path("narrow.vaem"));
  CHECK(loaded.config().synthesis_channels() == 8);
  CHECK(loaded.content_hash() == m.content_hash());
}

TEST_CASE("a different, damaged, foreign or missing model file is detected", "[model]") {
  test::TempDir dir;
  IntraModel a = small_model(2), b = small_model(3);
  CHECK(a.content_hash() != b.content_hash());
  std::vector<uint8_t> bytes = a.serialize();

  auto damaged = bytes;
  damaged[damaged.size() / 2] ^= 0x10;
  CHECK_THROWS_AS(IntraModel::parse(damaged, "x"), ModelFileError);
  CHECK_THROWS_WITH(IntraModel::parse(damaged, "x"), Catch::Contains("damaged"));

  auto truncated = bytes;
  truncated.resize(bytes.size() - 100);
  CHECK_THROWS_AS(IntraModel::parse(truncated, "x"), ModelFileError);

  auto other_version = bytes;
  other_version[8] = 99;  // the u32 format version follows the 8-byte magic
  CHECK_THROWS_WITH(IntraModel::parse(other_version, "x"), Catch::Contains("version"));

  std::vector<uint8_t> foreign(bytes.begin(), bytes.begin() + 40);
  foreign[0] = 'X';
  CHECK_THROWS_WITH(IntraModel::parse(foreign, "x"), Catch::Contains("not a"));

  CHECK_THROWS_WITH(IntraModel::load(dir.path("missing.vaem")), Catch::Contains("cannot open"));
}

TEST_CASE("quality maps monotonically onto the gain levels", "[model]") {
  double last = -1;
  for (int q = 1; q <= 100; ++q) {
    const double level = quality_to_level(q, 8);
    CHECK(level > last);
    last = level;
  }
  CHECK(quality_to_level(1, 8) == 0.0);
  CHECK(quality_to_level(100, 8) == 7.0);

  // With the range extended below the lowest trained level (shipped models).
  last = -100;
  for (int q = 1; q <= 100; ++q) {
    const double level = quality_to_level(q, 8, -1.25);
    CHECK(level > last);
    last = level;
  }
  CHECK(quality_to_level(1, 8, -1.25) == -1.25);
  CHECK(quality_to_level(100, 8, -1.25) == 7.0);
  CHECK(quality_to_level(1, 8, -50) == kLowestLevel);
}

TEST_CASE("gains interpolate between levels and extrapolate below level 0", "[model]") {
  torch::manual_seed(4);
  Vae net(small_config());
  torch::NoGradGuard no_grad;
  net->log_gain.copy_(torch::randn_like(net->log_gain));
  const at::Tensor g = net->log_gain;
  auto at_level = [&](double l) { return net->gain(l).view({-1}); };
  CHECK(torch::equal(at_level(0), torch::exp(g[0])));
  CHECK(torch::equal(at_level(2), torch::exp(g[2])));  // the top level, exactly
  CHECK(torch::allclose(at_level(1.5), torch::exp((g[1] + g[2]) / 2)));
  // Below 0 the line through levels 0 and 1 continues (log domain), down to kLowestLevel.
  CHECK(torch::allclose(at_level(-1), torch::exp(2 * g[0] - g[1])));
  CHECK(torch::allclose(at_level(-10), torch::exp((1 - kLowestLevel) * g[0] + kLowestLevel * g[1])));
}

TEST_CASE("the model file carries the quality range and rejects an absurd one", "[model]") {
  torch::manual_seed(6);
  Vae net(small_config());
  IntraModel plain = IntraModel::from_network(net);
  IntraModel extended = IntraModel::from_network(net, {10, 1.0, -1.25});
  CHECK(plain.level(1) == 0.0);
  CHECK(extended.level(1) == -1.25);
  CHECK(extended.level(100) == 2.0);
  CHECK(extended.content_hash() != plain.content_hash());  // streams bind to the mapping
  IntraModel loaded = IntraModel::parse(extended.serialize(), "x");
  CHECK(loaded.level(1) == -1.25);
  CHECK(loaded.content_hash() == extended.content_hash());
  CHECK_THROWS_WITH(IntraModel::from_network(net, {0, 0, -5}), Catch::Contains("quality_level_min"));
  CHECK_THROWS_AS(IntraModel::from_network(net, {0, 0, 0.5}), ModelFileError);
}

TEST_CASE("CDF indices: encoder with 1 thread equals decoder with 2 threads in another process",
          "[model][determinism]") {
  test::TempDir dir;
  const std::string helper = VAEC_MODEL_HELPER;
  const std::string model = dir.path("m.vaem"), lat = dir.path("lat.bin");
  const auto enc = test::run(helper + " encode " + model + " " + lat + " 1");
  REQUIRE(enc.exit_code == 0);
  const auto dec = test::run(helper + " decode " + model + " " + lat + " 2");
  CHECK(dec.exit_code == 0);
  CHECK(dec.output == enc.output);
}

TEST_CASE("intra latents round-trip through rANS, and the decoder output equals the encoder's", "[model]") {
  IntraModel m = small_model(4);
  entropy::CdfTableSet gauss;
  REQUIRE(entropy::build_gaussian_tables(&gauss).ok());
  const Frame f = test::make_frame(150, 90, 5);
  for (int q : {1, 50, 100}) {
    IntraLatents lat = analyse(m, f, q);
    std::vector<int32_t> z_index(lat.z.size());
    const size_t plane = size_t(lat.z_shape.height) * lat.z_shape.width;
    for (size_t i = 0; i < z_index.size(); ++i) z_index[i] = int32_t(i / plane);
    std::vector<uint8_t> zb, yb;
    REQUIRE(entropy::enc_rans(m.z_tables(), lat.z.data(), z_index.data(), lat.z.size(), &zb).ok());
    REQUIRE(entropy::enc_rans(gauss, lat.y.data(), lat.scale_index.data(), lat.y.size(), &yb).ok());
    // Decoder: bytes, model and frame size only.
    std::vector<int32_t> z(lat.z.size()), y(lat.y.size());
    REQUIRE(entropy::dec_rans(m.z_tables(), zb.data(), zb.size(), z_index.data(), z.size(), z.data()).ok());
    CHECK(z == lat.z);
    const HyperParams p = hyper_params(m, z, z_shape(m, 150, 90), 2);
    const auto idx = scale_indices(p);
    CHECK(idx == lat.scale_index);
    REQUIRE(entropy::dec_rans(gauss, yb.data(), yb.size(), idx.data(), y.size(), y.data()).ok());
    CHECK(y == lat.y);
    CHECK(frames_equal(synthesise(m, y, p, 150, 90, q), synthesise(m, lat.y, lat.params, 150, 90, q)));
  }
}
