// vaec-export-crops: draws random crops from a training folder exactly as `vaec train` does
// (same loader, weights, flips) and writes them as one raw file, so a trainer on another
// machine — scripts/train-gpu.py on a lent GPU without FFmpeg — sees the same data.
//
//   vaec-export-crops [--count K] [--size S] [--seed N] [--threads T] DATA_DIR OUT.crops
//
// The file format is in train/crops_file.h. Compress it for transport (xz).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "train/crops_file.h"
#include "train/dataset.h"

using namespace vaec;

int main(int argc, char** argv) {
  CLI::App app{"Write random training crops (drawn as `vaec train` draws them) to one raw I420 file"};
  std::string data_dir, out_path;
  int count = 2000, size = 256, threads = 2;
  uint64_t seed = 1;
  app.add_option("DATA_DIR", data_dir, "Training media (its train/ folder when present)")->required();
  app.add_option("OUT", out_path, "Output file (format: tools/train/crops_file.h)")->required();
  app.add_option("--count", count, "Number of crops")->check(CLI::Range(1, 1000000));
  app.add_option("--size", size, "Crop size in luma pixels (a multiple of 16)")
      ->check(CLI::Range(16, 4096) & CLI::Validator(
          [](const std::string& v) { return std::stoi(v) % 16 ? "must be a multiple of 16" : ""; },
          "MULTIPLE OF 16"));
  app.add_option("--seed", seed, "Random seed");
  app.add_option("--threads", threads, "Decoding threads")->check(CLI::Range(1, 256));
  CLI11_PARSE(app, argc, argv);
  try {
    if (std::filesystem::is_directory(data_dir + "/train")) data_dir += "/train";
    train::DatasetOptions options;
    options.min_side = size;
    options.threads = threads;
    const train::Dataset data = train::Dataset::load(data_dir, options, [](const std::string& s) {
      std::fprintf(stderr, "%s\n", s.c_str());
    });
    train::write_crops_file(data, count, size, seed, out_path);
    std::fprintf(stderr, "%s",
                 fmt::format("wrote {} crops of {}x{} from {} frames ({} files) to {}\n", count, size, size,
                             data.size(), data.file_count(), out_path).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec-export-crops: %s\n", e.what());
    return 1;
  }
}
