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
// estimates from the likelihoods (no entropy coder involved). Returns per-point sums over this
// rank's share of the images (every `world`-th from `rank`); the caller divides.
std::vector<ValPoint> validate(model::Vae& net, const std::vector<Frame>& images, int rank, int world) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<ValPoint> points{{1}, {50}, {100}};
  for (auto& pt : points) {
    const double level = model::quality_to_level(pt.quality, net->config().levels());
    for (size_t i = size_t(rank); i < images.size(); i += size_t(world)) {
      const Frame& f = images[i];
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
Frame motion_residual_crop(const Dataset& data, const CropChoice& choice) {
  const auto [previous, current] = data.video_pair(choice);
  const coding::MotionField field = coding::estimate_motion(current, previous, coding::MotionSearchOptions{});
  Frame prediction;
  coding::predict_picture(previous, field, &prediction);
  return coding::motion_residual(current, prediction);
}

// The seed of the rate terms' noise for one slice of a step's batch in a sliced run (several
// ranks or --accumulate): a function of the slice's place in the global batch only, so N ranks
// and one process of N slices draw the same noise (splitmix64's finaliser).
uint64_t slice_seed(uint64_t seed, int64_t step, int slice) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull ^ (uint64_t(step) << 20) ^ uint64_t(slice) ^ 0xD1B54A32D192ED03ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A summary of the media a rank loaded (counts, sizes, a few pixels of each frame): every rank
// must hold the same frames in the same order, or their crop draws would differ.
std::string media_signature(const Dataset& data, const std::vector<Frame>& val) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&](const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 1099511628211ull;
  };
  auto mix_frame = [&](const Frame& f) {
    mix(&f.width, sizeof f.width);
    mix(&f.height, sizeof f.height);
    for (const auto& plane : f.planes) mix(plane.data(), std::min<size_t>(plane.size(), 256));
  };
  for (size_t i = 0; i < data.size(); ++i) {
    mix_frame(data.item(i).frame);
    mix(&data.item(i).next, sizeof data.item(i).next);
  }
  for (const Frame& f : val) mix_frame(f);
  return fmt::format("{} files, {} frames, {} validation images, hash {:016x}", data.file_count(), data.size(),
                     val.size(), h);
}

torch::Tensor flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.reshape(-1));
  return torch::cat(flat);
}

void unflatten(const torch::Tensor& buffer, const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  int64_t offset = 0;
  for (const auto& t : tensors) {
    const_cast<torch::Tensor&>(t).copy_(buffer.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

}  // namespace

static int64_t run_training_impl(const TrainOptions& opt) {
  if (opt.patch < 64 || opt.patch % 64 != 0)
    throw std::invalid_argument("--patch must be a positive multiple of 64");
  if (opt.batch < 1) throw std::invalid_argument("--batch must be at least 1");
  if (opt.accumulate < 1) throw std::invalid_argument("--accumulate must be at least 1");
  const int world = opt.dist.world_size;
  const int slices = world * opt.accumulate;  // forward/backward passes per step, all ranks
  if (opt.batch % slices != 0)
    throw std::invalid_argument(fmt::format(
        "--batch {} is the global batch of a step (all ranks together): it must be divisible by the "
        "number of ranks x --accumulate = {} x {} = {}", opt.batch, world, opt.accumulate, slices));
  const int slice_batch = opt.batch / slices;
  const bool sliced = slices > 1;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

  // The rendezvous comes first so that a wrong address or rank fails in seconds, not after
  // minutes of loading media. Only rank 0 writes anything; the others print only errors.
  Communicator comm(opt.dist);
  const int rank = comm.rank();
  auto log = [&](const std::string& s) {
    if (!opt.quiet && rank == 0) fmt::print(stderr, "{}\n", s);
  };
  if (comm.distributed())
    log(fmt::format("rank 0 of {} ({}; rendezvous at {}:{}): global batch {} = {} ranks x {} crops{}", world,
                    opt.dist.origin, opt.dist.master_host, opt.dist.port, opt.batch, world, opt.batch / world,
                    opt.accumulate > 1 ? fmt::format(" (in {} slices of {})", opt.accumulate, slice_batch) : ""));

  at::set_num_threads(std::max(1, opt.threads));
  if (rank == 0) fs::create_directories(opt.out_dir);

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
  if (comm.distributed()) {
    // Ranks load at different speeds (other machines, other disks): wait longer than a step.
    comm.wait_for_all("media loaded", std::max(opt.dist.timeout_seconds, 1800.0));
    const std::string mine = media_signature(data, val);
    const std::string ours = comm.broadcast_string("media", mine);
    if (mine != ours)
      throw DistError(fmt::format("rank {} of {}: its training media differ from rank 0's (here: {}; rank 0: {}): "
                                  "every rank needs the same files under --data", rank, world, mine, ours));
  }

  // Model + optimizer, fresh or resumed.
  model::Vae net;
  Adam adam;
  int64_t step = 0;
  double prior_seconds = 0;
  const std::string ckpt = (fs::path(opt.out_dir) / kCheckpointName).string();
  if (rank != 0) {
    // Built from rank 0's configuration and state below.
  } else if (opt.resume && fs::exists(ckpt)) {
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
  if (comm.distributed()) {
    // Every rank starts from rank 0's network, Adam state and step (rank 0 alone reads
    // checkpoints: the others need no shared file system).
    nlohmann::json state = {{"config", nlohmann::json::parse(model::config_to_json(net->config()))},
                            {"step", step}, {"adam_t", adam.t}, {"seconds", prior_seconds}};
    state = nlohmann::json::parse(comm.broadcast_string("start", state.dump()));
    if (rank != 0) {
      net = model::Vae(model::config_from_json(state.at("config").dump()));
      std::vector<torch::Tensor> list;
      for (auto& p : net->parameters()) list.push_back(p);
      adam.init(list);
      step = state.at("step").get<int64_t>();
      adam.t = state.at("adam_t").get<int64_t>();
      prior_seconds = state.at("seconds").get<double>();
    }
    std::vector<torch::Tensor> all = net->parameters();
    all.insert(all.end(), adam.m.begin(), adam.m.end());
    all.insert(all.end(), adam.v.begin(), adam.v.end());
    torch::Tensor buffer;
    {
      torch::NoGradGuard no_grad;
      buffer = flatten(all).contiguous();
    }
    comm.broadcast(buffer);
    unflatten(buffer, all);
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
  const bool new_csv = rank == 0 && !fs::exists(csv_path);
  std::ofstream csv;
  if (rank == 0) csv.open(csv_path, std::ios::app);
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
  double reduce_seconds = 0;  // in the all-reduce since the last progress line, waiting included
  const int64_t first_step = step;
  const double run_start = elapsed();

  // Every rank evaluates its share of the images (world size 1: all); `now` is the step's time
  // on rank 0's clock, so that all ranks agree on when to validate next.
  auto evaluate_and_log = [&](double now) {
    if (val.empty()) return;
    const double t0 = elapsed();
    auto pts = validate(net, val, rank, world);
    if (comm.distributed()) {
      torch::Tensor sums = torch::zeros({int64_t(2 * pts.size())}, torch::kDouble);
      for (size_t i = 0; i < pts.size(); ++i) sums[int64_t(2 * i)] = pts[i].bpp, sums[int64_t(2 * i + 1)] = pts[i].psnr;
      comm.allreduce_sum(sums);
      for (size_t i = 0; i < pts.size(); ++i)
        pts[i].bpp = sums[int64_t(2 * i)].item<double>(), pts[i].psnr = sums[int64_t(2 * i + 1)].item<double>();
    }
    for (auto& p : pts) p.bpp /= double(val.size()), p.psnr /= double(val.size());
    if (rank == 0) csv << fmt::format("{},{:.0f},{:.3g},{:.5f},{:.4f},{:.3f}", step,
                       prior_seconds + elapsed() - run_start, lr, stats.mean(stats.loss),
                       stats.mean(stats.bpp), stats.mean(stats.psnr));
    std::string line = fmt::format("val @ step {} (estimated bpp):", step);
    for (const auto& p : pts) {
      if (rank == 0) csv << fmt::format(",{:.4f},{:.3f}", p.bpp, p.psnr);
      line += fmt::format("  q{} {:.3f} bpp {:.2f} dB", p.quality, p.bpp, p.psnr);
    }
    if (rank == 0) {
      csv << "\n";
      csv.flush();
    }
    log(line + fmt::format("  ({:.1f} s)", elapsed() - t0));
    stats = Stats{};
    last_val = comm.distributed() ? now : elapsed();
    last_val_step = step;
  };
  auto checkpoint = [&] {
    if (rank == 0) save_checkpoint(ckpt, net, adam, step, prior_seconds + elapsed() - run_start);
    last_ckpt = elapsed();
  };
  // Schedule: linear warm-up from step 0, then constant, then 10x lower near the end.
  auto schedule = [&](double now) {
    const double warm = opt.lr * std::min(1.0, double(step + 1) / std::max(1, opt.warmup_steps));
    return opt.decay_at < 1.0 && now >= opt.decay_at * budget ? warm * 0.1 : warm;
  };
  // The parameters being trained: their gradients are all-reduced, in one buffer.
  std::vector<torch::Tensor> trained;
  for (const auto& p : params)
    if (p.requires_grad()) trained.push_back(p);

  if (step == 0) evaluate_and_log(0.0);
  const int P = opt.patch;
  double now = elapsed();
  while (true) {
    if (opt.max_steps > 0 && step - first_step >= opt.max_steps) break;
    // A multi-process run decides to stop together, after the all-reduce below.
    if (!comm.distributed() && (g_stop_requested || elapsed() >= budget)) break;
    lr = schedule(elapsed());

    // The whole step's crop choices and levels, drawn in order from the stream every rank
    // shares; each rank then cuts and computes only its own slices.
    std::vector<CropChoice> choices;
    for (int b = 0; b < opt.batch; ++b)
      choices.push_back(opt.motion_residuals ? data.choose_video_pair(rng, P) : data.choose_crop(rng, P));
    torch::Tensor levels;
    if (sliced) {
      std::vector<int64_t> drawn;
      for (int b = 0; b < opt.batch; ++b) drawn.push_back(int64_t(rng() % uint64_t(L)));
      levels = torch::tensor(drawn, torch::kLong);
    } else {
      levels = torch::randint(0, L, {opt.batch}, torch::kLong);
    }

    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    double sum_l = 0, sum_b = 0, sum_p = 0;
    for (int s = rank * opt.accumulate; s < (rank + 1) * opt.accumulate; ++s) {
      if (sliced) torch::manual_seed(slice_seed(opt.seed, step, s));
      std::vector<torch::Tensor> crops;
      for (int b = s * slice_batch; b < (s + 1) * slice_batch; ++b)
        crops.push_back(model::frame_to_tensor(opt.motion_residuals ? motion_residual_crop(data, choices[size_t(b)])
                                                                    : data.crop(choices[size_t(b)])));
      torch::Tensor x = torch::cat(crops, 0).contiguous(at::MemoryFormat::ChannelsLast);
      torch::Tensor lv = sliced ? levels.narrow(0, s * slice_batch, slice_batch) : levels;

      model::RdOutput out = net->forward_train(x, lv);
      torch::Tensor d = 255.0 * 255.0 * mse_yuv(out.x_hat, x);
      torch::Tensor bpp = (out.y_bits + out.z_bits) / double(P * P);
      torch::Tensor per_sample = bpp + lam_t.index_select(0, lv) * d;
      torch::Tensor loss = (weight_t.index_select(0, lv) * per_sample).mean();
      if (opt.accumulate > 1) loss = loss / double(opt.accumulate);
      loss.backward();
      sum_l += per_sample.sum().item<double>();
      sum_b += bpp.sum().item<double>();
      sum_p += (10.0 * torch::log10(255.0 * 255.0 / d.detach().clamp_min(1e-10))).sum().item<double>();
    }

    bool stop_all = false;
    if (comm.distributed()) {
      // One all-reduce per step: the gradients, this rank's loss sums, its wish to stop and
      // rank 0's clock (which times the schedule, validation and the end for every rank).
      torch::Tensor buffer;
      {
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> parts;
        for (const auto& p : trained) parts.push_back(p.grad().defined() ? p.grad() : torch::zeros_like(p));
        const bool stop_here = g_stop_requested || elapsed() >= budget;
        parts.push_back(torch::tensor({float(sum_l), float(sum_b), float(sum_p), stop_here ? 1.0f : 0.0f,
                                       rank == 0 ? float(elapsed()) : 0.0f}));
        buffer = flatten(parts).contiguous();
      }
      const double t_reduce = elapsed();
      comm.allreduce_sum(buffer);
      reduce_seconds += elapsed() - t_reduce;
      const int64_t n = buffer.numel() - 5;
      const torch::Tensor extra = buffer.narrow(0, n, 5);
      sum_l = extra[0].item<double>(), sum_b = extra[1].item<double>(), sum_p = extra[2].item<double>();
      stop_all = extra[3].item<double>() > 0;
      now = extra[4].item<double>();
      for (const auto& p : trained)
        if (!p.grad().defined()) const_cast<torch::Tensor&>(p).mutable_grad() = torch::zeros_like(p);
      std::vector<torch::Tensor> grads;
      for (const auto& p : trained) grads.push_back(p.grad());
      unflatten(buffer.narrow(0, 0, n).div_(double(world)), grads);
      lr = schedule(now);
    }
    if (opt.clip > 0) clip_gradients(params, opt.clip);
    adam.step(params, lr);
    ++step;

    const double l = sum_l / opt.batch, b = sum_b / opt.batch, p = sum_p / opt.batch;
    if (!std::isfinite(l)) throw std::runtime_error(fmt::format("training diverged at step {} (loss {})", step, l));
    stats.add(l, b, p);
    print_stats.add(l, b, p);

    if (!comm.distributed()) now = elapsed();
    if (now - last_print >= 60.0 || step - first_step == 10) {
      // Multi-process: rank 0's time in the all-reduce, which includes waiting for the slowest rank.
      const std::string reduce_note = comm.distributed()
          ? fmt::format("  all-reduce {:.0f} ms/step", 1000.0 * reduce_seconds / double(print_stats.n)) : "";
      log(fmt::format("step {}  {:.2f} steps/s  loss {:.4f}  bpp~{:.3f}  psnr {:.2f} dB (all levels)  lr {:.2g}  {:.0f}/{:.0f} s{}",
                      step, double(step - first_step) / std::max(1e-9, now - run_start),
                      print_stats.mean(print_stats.loss), print_stats.mean(print_stats.bpp),
                      print_stats.mean(print_stats.psnr), lr, now, budget, reduce_note));
      print_stats = Stats{};
      reduce_seconds = 0;
      last_print = now;
    }
    if (now - last_ckpt >= opt.checkpoint_minutes * 60.0) checkpoint();
    if (now - last_val >= opt.val_minutes * 60.0) evaluate_and_log(now);
    if (stop_all) break;
  }
  if (g_stop_requested) log("stop requested: saving");
  checkpoint();
  if (step > first_step && step != last_val_step) evaluate_and_log(now);
  log(fmt::format("done: {} steps this run, step {} in total; checkpoint {}", step - first_step,
                  step, ckpt));
  std::signal(SIGINT, old_int);
  std::signal(SIGTERM, old_term);
  if (!opt.export_path.empty() && rank == 0) {
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
