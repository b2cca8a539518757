// The trainer: a few steps lower the loss; `vaec train`'s loop runs, checkpoints, resumes and
// exports on tiny synthetic media (never a real training run in CI).
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "model/intra.h"
#include "model/layout.h"
#include "model/model_file.h"
#include "support/test_support.h"
#include "train/crops_file.h"
#include "train/dataset.h"
#include "train/trainer.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;

namespace {

// The media under `dir` as the trainer loads them, crops of 64 and more.
train::Dataset load_media(const std::string& dir) {
  train::DatasetOptions o;
  o.min_side = 64;
  return train::Dataset::load(dir, o, [](const std::string&) {});
}

// Options for a run of a few steps on tiny media (no validation images unless asked).
train::TrainOptions tiny_run(const std::string& data_dir, const std::string& out_dir) {
  train::TrainOptions opt;
  opt.data_dir = data_dir;
  opt.out_dir = out_dir;
  opt.minutes = 5;
  opt.threads = 1;
  opt.batch = 2;
  opt.patch = 64;
  opt.max_steps = 1;
  opt.val_images = 0;
  opt.val_crop = 64;
  opt.quiet = true;
  return opt;
}

}  // namespace

TEST_CASE("a few training steps lower the rate-distortion loss", "[model][train]") {
  torch::manual_seed(11);
  model::VaeConfig c;
  c.N = 16;
  c.M = 16;
  c.Nz = 8;
  c.lambdas = {0.01};
  model::Vae net(c);
  std::vector<at::Tensor> crops;
  for (int i = 0; i < 2; ++i) crops.push_back(model::frame_to_tensor(test::make_frame(64, 64, i)));
  const at::Tensor x = torch::cat(crops, 0);
  const at::Tensor levels = torch::zeros({2}, torch::kLong);
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(2e-3));
  auto loss_of = [&] {
    model::RdOutput out = net->forward_train(x, levels);
    const at::Tensor d = 255.0 * 255.0 * (out.x_hat - x).square().mean();
    return (out.y_bits + out.z_bits).mean() / (64.0 * 64.0) + 0.01 * d;
  };
  double first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    adam.zero_grad();
    at::Tensor loss = loss_of();
    loss.backward();
    adam.step();
    if (step < 3) first += loss.item<double>() / 3;
    if (step >= 37) last += loss.item<double>() / 3;
  }
  CHECK(last < 0.7 * first);
}

TEST_CASE("vaec train's loop checkpoints, resumes and exports a loadable model", "[model][train]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path("media"));
  test::write_y4m(dir.path("media/clip.y4m"), 96, 80, 4, 1);
  test::write_y4m(dir.path("media/still.y4m"), 128, 64, 1, 9);

  train::TrainOptions opt = tiny_run(dir.path("media"), dir.path("out"));
  opt.max_steps = 2;
  opt.val_images = 1;
  CHECK(train::run_training(opt) == 2);
  REQUIRE(test::file_exists(dir.path("out/checkpoint.vckp")));
  REQUIRE(test::file_exists(dir.path("out/train_log.csv")));

  opt.resume = true;
  opt.max_steps = 1;
  opt.export_path = dir.path("out/model.vaem");
  CHECK(train::run_training(opt) == 1);
  model::IntraModel m = model::IntraModel::load(opt.export_path);
  CHECK(m.info().train_steps == 3);

  SECTION("a new run with a narrower synthesis transform starts from the trained rest") {
    train::TrainOptions narrow = opt;
    narrow.out_dir = dir.path("narrow");
    narrow.resume = false;
    narrow.max_steps = 1;
    narrow.synthesis_channels = 32;
    narrow.init_from = {dir.path("out/checkpoint.vckp")};
    narrow.export_path = dir.path("narrow/model.vaem");
    CHECK(train::run_training(narrow) == 1);
    model::IntraModel n = model::IntraModel::load(narrow.export_path);
    CHECK(n.config().synthesis_channels() == 32);
    CHECK(n.net()->g_s->parameters().front().size(0) == 32 * 4);  // sub-pixel conv to 32 channels
    // g_a came from the checkpoint: one warm-up step (lr 2e-7) away from the trained model's.
    const auto a = m.net()->g_a->parameters(), b = n.net()->g_a->parameters();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) CHECK(torch::allclose(a[i], b[i], 0, 1e-4));
    // And the codec decodes with it (g_s of width 32).
    const Frame f = test::make_frame(96, 64, 1);
    const model::IntraLatents lat = model::analyse(n, f, 50);
    const Frame out = model::synthesise(n, lat.y, lat.params, 96, 64, 50);
    CHECK(out.width == 96);

    narrow.init_from = {dir.path("out/train_log.csv")};  // not a checkpoint
    narrow.out_dir = dir.path("narrow2");
    CHECK_THROWS_AS(train::run_training(narrow), train::CheckpointError);
  }

  SECTION("--train-only fine-tunes one part of a network assembled from two checkpoints") {
    // A second, independently trained run of the same shape.
    train::TrainOptions other = opt;
    other.out_dir = dir.path("other");
    other.resume = false;
    other.export_path.clear();
    other.seed = 7;
    other.max_steps = 2;
    CHECK(train::run_training(other) == 2);

    train::TrainOptions tune = opt;
    tune.out_dir = dir.path("tune");
    tune.resume = false;
    tune.max_steps = 3;
    tune.warmup_steps = 1;  // full lr at once, so trained parameters visibly move
    // Both checkpoints hold every tensor with the right shape: the last listed wins.
    tune.init_from = {dir.path("out/checkpoint.vckp"), dir.path("other/checkpoint.vckp")};
    tune.train_only = {"g_s"};
    tune.export_path = dir.path("tune/model.vaem");
    CHECK(train::run_training(tune) == 3);
    model::IntraModel t = model::IntraModel::load(tune.export_path);
    tune.export_path.clear();
    other.export_path = dir.path("other/model.vaem");
    train::export_checkpoint(other.out_dir, other.export_path, other.quality_level_min);
    model::IntraModel o = model::IntraModel::load(other.export_path);
    // Frozen: g_a is exactly the last-listed checkpoint's.
    const auto ta = t.net()->g_a->parameters(), oa = o.net()->g_a->parameters();
    for (size_t i = 0; i < ta.size(); ++i) CHECK(torch::equal(ta[i], oa[i]));
    CHECK(torch::equal(t.net()->log_gain, o.net()->log_gain));
    // Trained: g_s moved away from where it started.
    const auto ts = t.net()->g_s->parameters(), os = o.net()->g_s->parameters();
    bool moved = false;
    for (size_t i = 0; i < ts.size(); ++i) moved = moved || !torch::equal(ts[i], os[i]);
    CHECK(moved);

    tune.out_dir = dir.path("tune2");
    tune.train_only = {"no_such_part"};
    CHECK_THROWS_WITH(train::run_training(tune), Catch::Contains("matches no parameter"));
  }
}

TEST_CASE("training folders without usable media are refused clearly", "[model][train]") {
  test::TempDir dir;
  train::TrainOptions opt;
  opt.data_dir = dir.path("nothing");
  opt.quiet = true;
  CHECK_THROWS_WITH(train::run_training(opt), Catch::Contains("not found"));
  std::filesystem::create_directories(dir.path("empty"));
  std::ofstream(dir.path("empty/notes.txt")) << "no media";
  opt.data_dir = dir.path("empty");
  CHECK_THROWS_AS(train::run_training(opt), train::DataError);
}

TEST_CASE("synthetic-motion pairs are aligned shifted crops of a still", "[model][train]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path("m"));
  test::write_y4m(dir.path("m/still.y4m"), 160, 160, 1, 4);
  train::Dataset ds = load_media(dir.path("m"));
  std::mt19937_64 rng(1);
  for (int i = 0; i < 5; ++i) {
    auto [a, b] = ds.random_pair(rng, 64, 16);
    CHECK(a.width == 64);
    CHECK(b.height == 64);
  }
}

TEST_CASE("video pairs are consecutive frames of a clip; motion-residual training needs them", "[model][train]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path("m"));
  test::write_y4m(dir.path("m/still.y4m"), 160, 160, 1, 4);
  train::TrainOptions opt = tiny_run(dir.path("m"), dir.path("out"));
  opt.motion_residuals = true;
  {
    train::Dataset stills = load_media(dir.path("m"));
    std::mt19937_64 rng(1);
    CHECK_THROWS_AS(stills.random_video_pair(rng, 64), train::DataError);
    CHECK_THROWS_AS(train::run_training(opt), train::DataError);
  }
  test::write_y4m(dir.path("m/clip.y4m"), 96, 80, 4, 1);
  train::Dataset ds = load_media(dir.path("m"));
  std::mt19937_64 rng(2);
  for (int i = 0; i < 8; ++i) {
    auto [a, b] = ds.random_video_pair(rng, 64);
    REQUIRE(a.width == 64);
    REQUIRE(b.height == 64);
    CHECK(a.planes[0] != b.planes[0]);  // two different frames of the clip, never the still
  }
  CHECK(train::run_training(opt) == 1);
  CHECK(test::file_exists(dir.path("out/checkpoint.vckp")));
}

TEST_CASE("the crops file holds the loader's crops as I420, and a bad size writes nothing", "[model][train]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path("m"));
  test::write_y4m(dir.path("m/still.y4m"), 160, 96, 1, 5);
  test::write_y4m(dir.path("m/clip.y4m"), 128, 128, 2, 8);
  train::Dataset ds = load_media(dir.path("m"));
  const std::string path = dir.path("crops.bin");
  train::write_crops_file(ds, 3, 64, 42, path);

  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t frame_bytes = 64 * 64 * 3 / 2;
  REQUIRE(bytes.size() == 16 + 3 * frame_bytes);
  CHECK(std::string(bytes.data(), 8) == "VAECROPS");
  uint32_t count = 0, size = 0;
  std::memcpy(&count, bytes.data() + 8, 4);
  std::memcpy(&size, bytes.data() + 12, 4);
  CHECK(count == 3);
  CHECK(size == 64);
  // The same seed draws the same crops: Y, then U, then V of each, in order.
  std::mt19937_64 rng(42);
  for (size_t k = 0; k < 3; ++k) {
    const Frame expected = ds.random_crop(rng, 64);
    std::vector<char> planes;
    for (const auto& p : expected.planes) planes.insert(planes.end(), p.begin(), p.end());
    CHECK(std::equal(planes.begin(), planes.end(), bytes.begin() + long(16 + k * frame_bytes)));
  }

  CHECK_THROWS(train::write_crops_file(ds, 3, 40, 1, dir.path("bad.bin")));
  CHECK_FALSE(std::filesystem::exists(dir.path("bad.bin")));
  CHECK_FALSE(std::filesystem::exists(dir.path("bad.bin.tmp")));
}
