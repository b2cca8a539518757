// `vaec train`: train the VAE from folders of images and videos (tools/train/).
#include <cstdlib>
#include <memory>

#include <fmt/core.h>

#include "cli/commands.h"
#include "train/dataset.h"
#include "train/trainer.h"

namespace vaec::cli {

void register_train(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("train", "Train the VAE model from folders of images and videos");
  add_global_options(*sub, global);
  auto opt = std::make_shared<train::TrainOptions>();
  sub->add_option("--data", opt->data_dir,
                  "Folder with train/ and val/ (from scripts/get-training-data.sh), or of media")
      ;
  sub->add_option("--out", opt->out_dir, "Folder for the checkpoint and CSV log")->capture_default_str();
  sub->add_option("--minutes", opt->minutes, "Wall-clock budget of this run")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_flag("--resume", opt->resume, "Continue from OUT/checkpoint.vckp when it exists");
  sub->add_option("--batch", opt->batch,
                  "Crops per step, all ranks together (with N ranks each computes batch / N; must "
                  "divide by N x --accumulate)")
      ->check(CLI::Range(1, 65536))->capture_default_str();
  sub->add_option("--accumulate", opt->accumulate,
                  "Split each rank's share of a step into this many forward/backward passes "
                  "(gradient accumulation: less memory; one process with --accumulate N repeats the "
                  "steps of N ranks)")
      ->check(CLI::Range(1, 4096))->capture_default_str();
  sub->add_option("--patch", opt->patch, "Crop size in luma pixels (multiple of 64)")
      ->check(CLI::Range(64, 4096))->capture_default_str();
  sub->add_option("--lr", opt->lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--decay-at", opt->decay_at, "Fraction of --minutes after which lr drops 10x (1: never)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  sub->add_option("--warmup", opt->warmup_steps, "Linear lr warm-up steps from step 0")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  sub->add_option("--clip", opt->clip, "Gradient-norm clip (0: off)")->capture_default_str();
  sub->add_option("--level-balance", opt->level_balance,
                  "Loss weight exponent across gain levels (0: plain sum)")->capture_default_str();
  sub->add_option("--checkpoint-minutes", opt->checkpoint_minutes, "Checkpoint interval")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--val-minutes", opt->val_minutes, "Validation interval")
      ->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--val-images", opt->val_images, "Validation images")->check(CLI::Range(0, 10000))
      ->capture_default_str();
  sub->add_option("--max-steps", opt->max_steps, "Stop after this many steps (0: use --minutes)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", opt->seed, "Random seed")->capture_default_str();
  sub->add_option("--export", opt->export_path, "Write the shipping model file (.vaem) at the end");
  sub->add_option("--min-level", opt->quality_level_min,
                  "Gain level of --quality 1 in the exported model (below 0: extrapolated past the "
                  "lowest trained lambda, for lower rates)")
      ->check(CLI::Range(train::lowest_quality_level(), 0.0))->capture_default_str();
  sub->add_option("--synthesis-channels", opt->synthesis_channels,
                  "Width of the synthesis transform g_s for a new run (default: N = 64); a narrower "
                  "g_s decodes faster (docs/performance.md); a multiple of 8 (the integer synthesis' kernels)")
      ->check(CLI::Range(8, 1024) & CLI::Validator(
                  [](std::string& v) { return std::stoi(v) % 8 == 0 ? std::string() : "must be a multiple of 8"; },
                  "MULTIPLE OF 8"));
  sub->add_option("--init-from", opt->init_from,
                  "For a new run: start from this checkpoint's parameters wherever name and shape "
                  "match (e.g. a trained model's g_a and hyperprior under a narrower g_s); "
                  "repeatable: where several match, the last one listed wins");
  sub->add_option("--train-only", opt->train_only,
                  "Train only parameters whose names start with one of these prefixes (g_a, g_s, "
                  "h_a, h_s, entropy_bottleneck, log_gain, log_inverse_gain); the rest stays frozen")
      ->delimiter(',');
  sub->add_flag("--motion-residuals", opt->motion_residuals,
                "Train on what block motion misses of consecutive video frames (x - prediction + "
                "128, the encoder's motion search on the originals) instead of pictures: the "
                "residual coder of design (a), docs/inter-frames.md");
  auto dist = std::make_shared<train::DistArgs>();
  sub->add_option("--dist-url", dist->url,
                  "Multi-process training: tcp://HOST:PORT where rank 0 listens (rank 0's address as the "
                  "others reach it; 127.0.0.1 on one machine). Under `srun` only the port is used "
                  "(docs/scale-out.md)");
  sub->add_option("--world-size", dist->world_size,
                  "Number of training processes (default 1: no multi-process training; under `srun` "
                  "with several tasks: SLURM_NTASKS)")
      ->check(CLI::Range(1, 65536));
  sub->add_option("--rank", dist->rank,
                  "This process's rank, 0 .. world size - 1 (under `srun`: SLURM_PROCID); rank 0 writes "
                  "the checkpoint, log and export, the others print only errors")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--dist-timeout", dist->timeout_seconds,
                  "Seconds to wait for the other ranks at the rendezvous and in each step's all-reduce "
                  "before stopping with an error (a rank that died stops the others)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  auto export_only = std::make_shared<bool>(false);
  sub->add_flag("--export-only", *export_only,
                "Only write --export from OUT/checkpoint.vckp (no training; --data ignored)");
  sub->callback([opt, dist, export_only, &global] {
    opt->threads = global.resolved_threads();
    opt->quiet = global.quiet;
    if (opt->patch % 64 != 0) throw CommandError("--patch must be a multiple of 64");
    try {
      opt->dist = train::resolve_dist_options(*dist, [](const char* name) { return std::getenv(name); });
    } catch (const std::invalid_argument& e) {
      throw CommandError(e.what());
    }
    if (opt->batch % (opt->dist.world_size * opt->accumulate) != 0)
      throw CommandError(fmt::format("--batch {} is the global batch (all ranks together): it must be divisible "
                                     "by the number of ranks x --accumulate = {} x {}",
                                     opt->batch, opt->dist.world_size, opt->accumulate));
    // In a multi-process run every message says which rank it comes from.
    const std::string who = opt->dist.world_size > 1
                                ? fmt::format("rank {} of {}: ", opt->dist.rank, opt->dist.world_size) : "";
    try {
      if (*export_only) {
        if (opt->export_path.empty()) throw CommandError("--export-only needs --export FILE");
        const uint64_t hash = train::export_checkpoint(opt->out_dir, opt->export_path, opt->quality_level_min);
        if (!opt->quiet) fmt::print(stderr, "wrote {} (hash {:016x})\n", opt->export_path, hash);
        return;
      }
      if (opt->data_dir.empty()) throw CommandError("--data is required for training");
      train::run_training(*opt);
    } catch (const train::DistError& e) {
      throw CommandError(e.what());  // names the rank already
    } catch (const train::DataError& e) {
      throw CommandError(who + e.what());
    } catch (const train::CheckpointError& e) {
      throw CommandError(who + e.what());
    } catch (const CommandError&) {
      throw;
    } catch (const std::exception& e) {
      throw CommandError(who + e.what());
    }
  });
}

}  // namespace vaec::cli
