// `vaec train`: rate-distortion training of the intra VAE on CPU (or whatever LibTorch offers),
// with time-boxed runs, resumable checkpoints and a CSV log (docs/training.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "train/distributed.h"

namespace vaec::train {

struct TrainOptions {
  std::string data_dir;      // holds train/ and val/ (or is itself the training folder)
  std::string out_dir = "training";
  double minutes = 10.0;     // wall-clock budget of this run
  int threads = 2;
  bool resume = false;       // continue from out_dir/checkpoint.vckp if present
  // Crops per step, over all ranks together (the global batch): with N ranks and --accumulate K
  // it must be divisible by N x K, and each rank computes K slices of batch / (N K) crops.
  int batch = 8;
  // Forward/backward passes per rank and step (gradient accumulation). 1 and a single rank is
  // the classic loop; otherwise the step's crops, levels and noise are drawn per slice so that
  // one process with --accumulate N reproduces N ranks' steps (docs/scale-out.md).
  int accumulate = 1;
  DistOptions dist;          // this process's place in a multi-process run (world size 1: none)
  int patch = 192;           // luma crop size (multiple of 64)
  double lr = 2e-4;
  double decay_at = 0.85;    // fraction of --minutes after which lr drops 10x (>= 1: never)
  int warmup_steps = 1000;
  double clip = 1.0;         // gradient-norm clip
  double level_balance = 0.5;  // loss weight of level l is (lambda_mid / lambda_l)^balance
  double checkpoint_minutes = 5.0;
  double val_minutes = 10.0;
  int val_images = 32;       // validation stills (center crops) per evaluation
  int val_crop = 512;
  uint64_t seed = 1;
  int64_t max_steps = 0;     // 0: until --minutes (tests use a few steps)
  bool quiet = false;
  std::string export_path;   // when set, write the shipping model file here at the end
  // Gain level of quality 1 in the exported model: -1.25 extrapolates the gains past the
  // lowest trained lambda to about half its rate (docs/training.md §1).
  double quality_level_min = -1.25;
  // A new run only (a resumed one keeps its checkpoint's network):
  int64_t synthesis_channels = 0;  // g_s width; 0: the default (N)
  // Checkpoints whose tensors of matching name and shape start this run; where several hold a
  // tensor, the last one listed wins (e.g. a narrow g_s from one run, the rest from another).
  std::vector<std::string> init_from;
  // Parameter-name prefixes to train (e.g. "g_s", "log_inverse_gain"); empty: all. The rest
  // stays frozen: fine-tuning a synthesis transform under a fixed analysis and hyperprior.
  std::vector<std::string> train_only;
  // Train on what block motion misses instead of pictures (issue 21, design (a)): each crop is
  // clamp(x_t - prediction + 128), the prediction made from the previous video frame with the
  // encoder's motion search (coding/enc_motion.h, on originals). Video frame pairs only.
  bool motion_residuals = false;
};

// A checkpoint or model file that cannot be read or written (the message names it).
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The lowest gain level an exported model may map quality 1 to (--min-level).
double lowest_quality_level();

// Runs training; returns the number of steps taken in this run. Throws DataError for unusable
// data folders, CheckpointError for a damaged checkpoint and DistError when the ranks of a
// multi-process run cannot meet or lose one another.
int64_t run_training(const TrainOptions& options);

// Writes the shipping model file (.vaem) from OUT_DIR/checkpoint.vckp; returns its hash.
uint64_t export_checkpoint(const std::string& out_dir, const std::string& model_path,
                           double quality_level_min);

}  // namespace vaec::train
