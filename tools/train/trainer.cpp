#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "coding/enc_motion.h"
#include "coding/motion.h"
#include "model/layout.h"
#include "model/model_file.h"
#include "model/tensor_file.h"
#include "model/vae.h"
#include "train/dataset.h"

namespace vaec::train {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kCheckpointMagic = "VAECKPT\0";
constexpr uint32_t kCheckpointVersion = 1;
const std::string kCheckpointName = "checkpoint.vckp";
const std::string kLogName = "train_log.csv";

// SIGINT/SIGTERM ask the loop to stop after the current step and save (signal handlers can
// only touch a lock-free atomic, hence this one global).
std::atomic<bool> g_stop_requested{false};
extern "C" void request_stop(int) { g_stop_requested = true; }

// Adam (Kingma & Ba) kept here rather than torch::optim so its state is ours to serialise
// compactly (bf16 moments) and identically on LibTorch 1.13 and 2.x.
struct Adam {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  int64_t t = 0;
  std::vector<torch::Tensor> m, v;

  void init(const std::vector<torch::Tensor>& params) {
    m.clear();
    v.clear();
    for (const auto& p : params) {
      m.push_back(torch::zeros_like(p));
      v.push_back(torch::zeros_like(p));
    }
  }
  void step(const std::vector<torch::Tensor>& params, double lr) {
    torch::NoGradGuard no_grad;
    ++t;
    const double bc1 = 1.0 - std::pow(beta1, double(t)), bc2 = 1.0 - std::pow(beta2, double(t));
    for (size_t i = 0; i < params.size(); ++i) {
      const auto& g = params[i].grad();
      if (!g.defined()) continue;
      m[i].mul_(beta1).add_(g, 1.0 - beta1);
      v[i].mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      torch::Tensor denom = (v[i] / bc2).sqrt_().add_(eps);
      params[i].addcdiv_(m[i], denom, -lr / bc1);
    }
  }
};

// Scales all gradients so their joint L2 norm is at most max_norm (stabilises GDN training).
void clip_gradients(const std::vector<torch::Tensor>& params, double max_norm) {
  torch::NoGradGuard no_grad;
  double sq = 0;
  for (const auto& p : params)
    if (p.grad().defined()) sq += p.grad().square().sum().item<double>();
  const double norm = std::sqrt(sq);
  if (norm > max_norm)
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(max_norm / (norm + 1e-6));
}

struct Stats {
  double loss = 0, bpp = 0, psnr = 0;
  int64_t n = 0;
  void add(double l, double b, double p) { loss += l, bpp += b, psnr += p, ++n; }
  double mean(double s) const { return n ? s / double(n) : NAN; }
};

void save_checkpoint(const std::string& path, model::Vae& net, const Adam& adam, int64_t step,
                     double seconds) {
  model::TensorFile file;
  nlohmann::json meta = {{"kind", "vaec training checkpoint"},
                         {"step", step},
                         {"adam_t", adam.t},
                         {"train_seconds", seconds},
                         {"config", nlohmann::json::parse(model::config_to_json(net->config()))}};
  file.meta = meta.dump();
  const auto params = net->named_parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i].key();
    file.add("param/" + name, params[i].value());
    // Moments in bf16 halve the file; their precision barely matters to Adam.
    file.add("adam_m/" + name, adam.m[i].to(torch::kBFloat16));
    file.add("adam_v/" + name, adam.v[i].to(torch::kBFloat16));
  }
  model::write_file_atomic(path, model::encode_tensor_file(file, std::string(kCheckpointMagic, 8),
                                                           kCheckpointVersion));
}

// Copies every parameter of `path`'s network whose name and shape match one of `net`'s (a
// narrower g_s keeps its fresh weights; g_a, the hyperprior and the gains start trained).
std::string init_from_checkpoint(const std::string& path, model::Vae& net) {
  const model::TensorFile file = model::decode_tensor_file(
      model::read_whole_file(path), std::string(kCheckpointMagic, 8), kCheckpointVersion, path);
  torch::NoGradGuard no_grad;
  int copied = 0, total = 0;
  for (auto& p : net->named_parameters()) {
    ++total;
    const at::Tensor* src = file.find("param/" + p.key());
    if (src && src->sizes() == p.value().sizes()) {
      p.value().copy_(src->to(torch::kFloat));
      ++copied;
    }
  }
  if (copied == 0) throw model::ModelFileError(path + ": no parameter matches this network");
  return fmt::format("initialised {} of {} parameter tensors from {}", copied, total, path);
}

// Stops gradients to every parameter whose name starts with none of `prefixes` (Adam skips
// them: they keep their values and moments).
std::string freeze_all_but(const std::vector<std::string>& prefixes, model::Vae& net) {
  int64_t trained = 0, total = 0;
  std::set<std::string> parts;  // the names' first components, for the error message
  for (auto& p : net->named_parameters()) {
    const bool train = std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& prefix) {
      return p.key().rfind(prefix, 0) == 0;
    });
    p.value().set_requires_grad(train);
    total += p.value().numel();
    if (train) trained += p.value().numel();
    parts.insert(p.key().substr(0, p.key().find('.')));
  }
  if (trained == 0)
    throw std::invalid_argument(fmt::format("--train-only matches no parameter (names start with {})",
                                            fmt::join(parts, ", ")));
  return fmt::format("training {} of {} parameters (the rest frozen)", trained, total);
}

struct Resumed {
  int64_t step = 0;
  double seconds = 0;
};

Resumed load_checkpoint(const std::string& path, model::Vae& net, Adam& adam) {
  const model::TensorFile file = model::decode_tensor_file(
      model::read_whole_file(path), std::string(kCheckpointMagic, 8), kCheckpointVersion, path);
  const auto meta = nlohmann::json::parse(file.meta);
  net = model::Vae(model::config_from_json(meta.at("config").dump()));
  torch::NoGradGuard no_grad;
  auto params = net->named_parameters();
  std::vector<torch::Tensor> list;
  for (auto& p : params) list.push_back(p.value());
  adam.init(list);
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string& name = params[i].key();
    auto copy = [&](const std::string& key, torch::Tensor& dst) {
      const at::Tensor& src = file.get(key);
      if (src.sizes() != dst.sizes())
        throw model::ModelFileError(path + ": tensor '" + key + "' has the wrong shape");
      dst.copy_(src.to(torch::kFloat));
    };
    copy("param/" + name, params[i].value());
    copy("adam_m/" + name, adam.m[i]);
    copy("adam_v/" + name, adam.v[i]);
  }
  adam.t = meta.at("adam_t");
  return {meta.at("step").get<int64_t>(), meta.at("train_seconds").get<double>()};
}

// [B, 6, h, w] squared errors -> per-sample MSE_YUV = (6 MSE_Y + MSE_U + MSE_V) / 8.
torch::Tensor mse_yuv(const torch::Tensor& a, const torch::Tensor& b) {
  torch::Tensor se = (a - b).square();
  torch::Tensor y = se.narrow(1, 0, 4).mean({1, 2, 3});
  torch::Tensor u = se.select(1, 4).mean({1, 2});
  torch::Tensor v = se.select(1, 5).mean({1, 2});
  return (6.0 * y + u + v) / 8.0;
}

double psnr_from_mse(double mse255) { return 10.0 * std::log10(255.0 * 255.0 / std::max(mse255, 1e-10)); }

struct ValPoint {
  int quality;
  double bpp = 0, psnr = 0;
};

// Held-out evaluation with real rounding of latents and of the 8-bit output; rates are
// estimates from the likelihoods (no entropy coder involved).
std::vector<ValPoint> validate(model::Vae& net, const std::vector<Frame>& images) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<ValPoint> points{{1}, {50}, {100}};
  for (auto& pt : points) {
    const double level = model::quality_to_level(pt.quality, net->config().levels());
    for (const Frame& f : images) {
      torch::Tensor xp = model::frame_to_padded_tensor(f, model::kLumaMultiple / 2);
      torch::Tensor x = xp.narrow(2, 0, Frame::chroma_extent(f.height)).narrow(3, 0, Frame::chroma_extent(f.width));
      model::RdOutput out = net->forward_eval(xp, level);
      torch::Tensor x_hat = out.x_hat.narrow(2, 0, x.size(2)).narrow(3, 0, x.size(3));
      // Round to 8-bit samples exactly as the decoder's output would be.
      x_hat = torch::round((x_hat + 0.5) * 255.0).clamp(0, 255);
      const double mse = mse_yuv(x_hat, torch::round((x + 0.5) * 255.0)).item<double>();
      pt.psnr += psnr_from_mse(mse);
      pt.bpp += (out.y_bits + out.z_bits).item<double>() / (double(f.width) * f.height);
    }
    pt.psnr /= double(images.size());
    pt.bpp /= double(images.size());
  }
  net->train();
  return points;
}

std::vector<Frame> load_validation(const std::string& dir, const TrainOptions& opt,
                                   const std::function<void(const std::string&)>& log) {
  DatasetOptions dopt;
  dopt.min_side = std::min(128, opt.val_crop);
  dopt.max_video_frames = 2;
  dopt.downscaled_copies = false;
  dopt.threads = opt.threads;
  Dataset ds = Dataset::load(dir, dopt, log);
  std::vector<size_t> stills, frames;
  for (size_t i = 0; i < ds.size(); ++i) (ds.item(i).sequence < 0 ? stills : frames).push_back(i);
  // Deterministic choice: stills spread evenly over the (sorted) list, plus one frame per video.
  std::vector<size_t> chosen;
  const size_t want = size_t(std::max(1, opt.val_images));
  const size_t n_stills = std::min(stills.size(), want);
  for (size_t k = 0; k < n_stills; ++k) chosen.push_back(stills[k * stills.size() / n_stills]);
  for (size_t i : frames)
    if (ds.item(i).next >= 0 && chosen.size() < want + 4) chosen.push_back(i);
  std::vector<Frame> out;
  for (size_t i : chosen) {
    const Frame& f = ds.item(i).frame;
    const int w = std::min(opt.val_crop, f.width & ~1), h = std::min(opt.val_crop, f.height & ~1);
    out.push_back(crop_frame(f, ((f.width - w) / 2) & ~1, ((f.height - h) / 2) & ~1, w, h));
  }
  return out;
}

// What block motion misses of a pair of consecutive video frames, offset to mid-grey as the
// intra residual of a motion P-frame is (docs/bitstream.md §3.2): the encoder's search on the
// original previous frame, its default settings.
Frame motion_residual_crop(const Dataset& data, std::mt19937_64& rng, int size) {
  const auto [previous, current] = data.random_video_pair(rng, size);
  const coding::MotionField field = coding::estimate_motion(current, previous, coding::MotionSearchOptions{});
  Frame prediction;
  coding::predict_picture(previous, field, &prediction);
  return coding::motion_residual(current, prediction);
}

}  // namespace

static int64_t run_training_impl(const TrainOptions& opt) {
  if (opt.patch < 64 || opt.patch % 64 != 0)
    throw std::invalid_argument("--patch must be a positive multiple of 64");
  if (opt.batch < 1) throw std::invalid_argument("--batch must be at least 1");
  auto log = [&](const std::string& s) {
    if (!opt.quiet) fmt::print(stderr, "{}\n", s);
  };
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  at::set_num_threads(std::max(1, opt.threads));
  fs::create_directories(opt.out_dir);

  // Data: DIR/train and DIR/val when present, else DIR itself with no validation split.
  const fs::path root(opt.data_dir);
  const bool split = fs::is_directory(root / "train");
  DatasetOptions dopt;
  dopt.min_side = opt.patch;
  dopt.threads = opt.threads;
  log(fmt::format("loading training media from {}", (split ? root / "train" : root).string()));
  Dataset data = Dataset::load((split ? root / "train" : root).string(), dopt, log);
  log(fmt::format("training media: {} files, {} frames in memory ({:.1f} s)", data.file_count(),
                  data.size(), elapsed()));
  std::vector<Frame> val;
  if (split && fs::is_directory(root / "val")) val = load_validation((root / "val").string(), opt, log);
  else if (opt.val_images > 0) val = load_validation((split ? root / "train" : root).string(), opt, log);
  log(fmt::format("validation: {} images", val.size()));

  // Model + optimizer, fresh or resumed.
  model::Vae net;
  Adam adam;
  int64_t step = 0;
  double prior_seconds = 0;
  const std::string ckpt = (fs::path(opt.out_dir) / kCheckpointName).string();
  if (opt.resume && fs::exists(ckpt)) {
    const Resumed r = load_checkpoint(ckpt, net, adam);
    step = r.step;
    prior_seconds = r.seconds;
    log(fmt::format("resumed {} at step {} ({:.1f} h trained)", ckpt, step, prior_seconds / 3600));
    if (opt.synthesis_channels > 0 || !opt.init_from.empty())
      log("--synthesis-channels and --init-from apply to new runs only; the checkpoint's network is kept");
  } else {
    if (opt.resume) log("no checkpoint to resume in " + opt.out_dir + "; starting fresh");
    model::VaeConfig config;
    config.Ns = opt.synthesis_channels;
    net = model::Vae(config);
    for (const std::string& path : opt.init_from) log(init_from_checkpoint(path, net));
    std::vector<torch::Tensor> list;
    for (auto& p : net->parameters()) list.push_back(p);
    adam.init(list);
  }
  net->train();
  if (!opt.train_only.empty()) log(freeze_all_but(opt.train_only, net));
  const std::vector<torch::Tensor> params = net->parameters();
  int64_t n_params = 0;
  for (const auto& p : params) n_params += p.numel();
  const auto& cfg = net->config();
  const int64_t L = cfg.levels();
  log(fmt::format("model: N={} M={} Nz={} g_s width={} levels={} params={}", cfg.N, cfg.M, cfg.Nz,
                  cfg.synthesis_channels(), L, n_params));

  // Per-level lambda and loss weight (levels with small lambda have small losses; the weight
  // keeps their gradients from vanishing next to the high-rate levels).
  const double lambda_mid = std::sqrt(cfg.lambdas.front() * cfg.lambdas.back());
  std::vector<float> lam(cfg.lambdas.begin(), cfg.lambdas.end()), weight;
  for (double l : cfg.lambdas) weight.push_back(float(std::pow(lambda_mid / l, opt.level_balance)));
  const torch::Tensor lam_t = torch::tensor(lam), weight_t = torch::tensor(weight);

  // CSV log: one row per validation.
  const std::string csv_path = (fs::path(opt.out_dir) / kLogName).string();
  const bool new_csv = !fs::exists(csv_path);
  std::ofstream csv(csv_path, std::ios::app);
  if (new_csv)
    csv << "step,train_seconds,lr,train_loss,train_bpp_est,train_psnr_yuv,"
           "val_q1_bpp_est,val_q1_psnr_yuv,val_q50_bpp_est,val_q50_psnr_yuv,"
           "val_q100_bpp_est,val_q100_psnr_yuv\n";

  std::mt19937_64 rng(opt.seed * 0x9E3779B97F4A7C15ull + uint64_t(step));
  torch::manual_seed(opt.seed + uint64_t(step));
  g_stop_requested = false;
  auto old_int = std::signal(SIGINT, request_stop);
  auto old_term = std::signal(SIGTERM, request_stop);

  const double budget = opt.minutes * 60.0;
  double last_ckpt = elapsed(), last_val = -1e9, last_print = elapsed();
  int64_t last_val_step = -1;
  double lr = opt.lr;
  Stats stats, print_stats;
  const int64_t first_step = step;
  const double run_start = elapsed();

  auto evaluate_and_log = [&] {
    if (val.empty()) return;
    const double t0 = elapsed();
    const auto pts = validate(net, val);
    csv << fmt::format("{},{:.0f},{:.3g},{:.5f},{:.4f},{:.3f}", step,
                       prior_seconds + elapsed() - run_start, lr, stats.mean(stats.loss),
                       stats.mean(stats.bpp), stats.mean(stats.psnr));
    std::string line = fmt::format("val @ step {} (estimated bpp):", step);
    for (const auto& p : pts) {
      csv << fmt::format(",{:.4f},{:.3f}", p.bpp, p.psnr);
      line += fmt::format("  q{} {:.3f} bpp {:.2f} dB", p.quality, p.bpp, p.psnr);
    }
    csv << "\n";
    csv.flush();
    log(line + fmt::format("  ({:.1f} s)", elapsed() - t0));
    stats = Stats{};
    last_val = elapsed();
    last_val_step = step;
  };
  auto checkpoint = [&] {
    save_checkpoint(ckpt, net, adam, step, prior_seconds + elapsed() - run_start);
    last_ckpt = elapsed();
  };

  if (step == 0) evaluate_and_log();
  const int P = opt.patch;
  while (!g_stop_requested) {
    if (opt.max_steps > 0 && step - first_step >= opt.max_steps) break;
    if (elapsed() >= budget) break;
    // Schedule: linear warm-up from step 0, then constant, then 10x lower near the end.
    lr = opt.lr * std::min(1.0, double(step + 1) / std::max(1, opt.warmup_steps));
    if (opt.decay_at < 1.0 && elapsed() >= opt.decay_at * budget) lr *= 0.1;

    std::vector<torch::Tensor> crops;
    for (int b = 0; b < opt.batch; ++b)
      crops.push_back(model::frame_to_tensor(opt.motion_residuals ? motion_residual_crop(data, rng, P)
                                                                  : data.random_crop(rng, P)));
    torch::Tensor x = torch::cat(crops, 0).contiguous(at::MemoryFormat::ChannelsLast);
    torch::Tensor levels = torch::randint(0, L, {opt.batch}, torch::kLong);

    model::RdOutput out = net->forward_train(x, levels);
    torch::Tensor d = 255.0 * 255.0 * mse_yuv(out.x_hat, x);
    torch::Tensor bpp = (out.y_bits + out.z_bits) / double(P * P);
    torch::Tensor per_sample = bpp + lam_t.index_select(0, levels) * d;
    torch::Tensor loss = (weight_t.index_select(0, levels) * per_sample).mean();

    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    loss.backward();
    if (opt.clip > 0) clip_gradients(params, opt.clip);
    adam.step(params, lr);
    ++step;

    const double l = per_sample.mean().item<double>(), b = bpp.mean().item<double>();
    const double p = (10.0 * torch::log10(255.0 * 255.0 / d.detach().clamp_min(1e-10))).mean().item<double>();
    if (!std::isfinite(l)) throw std::runtime_error(fmt::format("training diverged at step {} (loss {})", step, l));
    stats.add(l, b, p);
    print_stats.add(l, b, p);

    const double now = elapsed();
    if (now - last_print >= 60.0 || step - first_step == 10) {
      log(fmt::format("step {}  {:.2f} steps/s  loss {:.4f}  bpp~{:.3f}  psnr {:.2f} dB (all levels)  lr {:.2g}  {:.0f}/{:.0f} s",
                      step, double(step - first_step) / std::max(1e-9, now - run_start),
                      print_stats.mean(print_stats.loss), print_stats.mean(print_stats.bpp),
                      print_stats.mean(print_stats.psnr), lr, now, budget));
      print_stats = Stats{};
      last_print = now;
    }
    if (now - last_ckpt >= opt.checkpoint_minutes * 60.0) checkpoint();
    if (now - last_val >= opt.val_minutes * 60.0) evaluate_and_log();
  }
  if (g_stop_requested) log("stop requested: saving");
  checkpoint();
  if (step > first_step && step != last_val_step) evaluate_and_log();
  log(fmt::format("done: {} steps this run, step {} in total; checkpoint {}", step - first_step,
                  step, ckpt));
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (!opt.export_path.empty()) {
    const uint64_t hash = export_checkpoint(opt.out_dir, opt.export_path, opt.quality_level_min);
    log(fmt::format("wrote model {} (hash {:016x})", opt.export_path, hash));
  }
  return step - first_step;
}

static uint64_t export_checkpoint_impl(const std::string& out_dir, const std::string& model_path,
                           double quality_level_min) {
  const std::string ckpt = (fs::path(out_dir) / kCheckpointName).string();
  if (!fs::exists(ckpt)) throw model::ModelFileError("no checkpoint to export: " + ckpt);
  model::Vae net;
  Adam adam;
  const Resumed r = load_checkpoint(ckpt, net, adam);
  model::IntraModel m = model::IntraModel::from_network(net, {r.step, r.seconds, quality_level_min});
  m.save(model_path);
  return m.content_hash();
}

double lowest_quality_level() { return model::kLowestLevel; }

int64_t run_training(const TrainOptions& options) {
  try {
    return run_training_impl(options);
  } catch (const model::ModelFileError& e) {
    throw CheckpointError(e.what());
  }
}

uint64_t export_checkpoint(const std::string& out_dir, const std::string& model_path, double quality_level_min) {
  try {
    return export_checkpoint_impl(out_dir, model_path, quality_level_min);
  } catch (const model::ModelFileError& e) {
    throw CheckpointError(e.what());
  }
}

}  // namespace vaec::train
