// vaec-export-crops: draws random crops from a training folder exactly as `vaec train` does
// (same loader, weights, flips) and writes them as one raw file, so a trainer on another
// machine — scripts/train-gpu.py on a lent GPU without FFmpeg — sees the same data.
//
//   vaec-export-crops [--count K] [--size S] [--seed N] [--threads T] DATA_DIR OUT.crops
//
// OUT.crops: "VAECROPS" | u32 count | u32 size | count x I420 frame (size x size luma, then
// size/2 x size/2 U and V), little-endian. Compress it for transport (xz).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <fmt/core.h>

#include "train/dataset.h"

using namespace vaec;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: vaec-export-crops [--count K] [--size S] [--seed N] [--threads T] DATA_DIR OUT.crops\n"
               "  Writes K random S x S crops (default 2000 x 256, S a multiple of 16) of the media\n"
               "  under DATA_DIR (its train/ folder when present) as raw I420 frames.\n");
  return 2;
}

template <typename T> void put(std::ofstream& f, T v) { f.write(reinterpret_cast<const char*>(&v), sizeof v); }

}  // namespace

int main(int argc, char** argv) {
  int count = 2000, size = 256, threads = 2;
  uint64_t seed = 1;
  std::string positional[2];
  int n_positional = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> long long { return i + 1 < argc ? std::stoll(argv[++i]) : -1; };
    if (a == "--count") count = int(value());
    else if (a == "--size") size = int(value());
    else if (a == "--seed") seed = uint64_t(value());
    else if (a == "--threads") threads = int(value());
    else if (a == "-h" || a == "--help") return usage(), 0;
    else if (n_positional < 2 && a.rfind("--", 0) != 0) positional[n_positional++] = a;
    else return usage();
  }
  if (n_positional != 2 || count < 1 || size < 16 || size % 16 != 0 || threads < 1) return usage();
  try {
    std::string dir = positional[0];
    if (std::filesystem::is_directory(dir + "/train")) dir += "/train";
    train::DatasetOptions options;
    options.min_side = size;
    options.threads = threads;
    const train::Dataset data = train::Dataset::load(dir, options, [](const std::string& s) {
      std::fprintf(stderr, "%s\n", s.c_str());
    });
    const std::string tmp = positional[1] + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write("VAECROPS", 8);
    put<uint32_t>(out, uint32_t(count));
    put<uint32_t>(out, uint32_t(size));
    std::mt19937_64 rng(seed);
    for (int k = 0; k < count; ++k) {
      const Frame crop = data.random_crop(rng, size);
      for (int p = 0; p < 3; ++p)
        out.write(reinterpret_cast<const char*>(crop.planes[p].data()), std::streamsize(crop.planes[p].size()));
    }
    out.close();
    if (!out || std::rename(tmp.c_str(), positional[1].c_str()) != 0) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write " + positional[1]);
    }
    std::fprintf(stderr, "%s",
                 fmt::format("wrote {} crops of {}x{} from {} frames ({} files) to {}\n", count, size, size,
                             data.size(), data.file_count(), positional[1]).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vaec-export-crops: %s\n", e.what());
    return 1;
  }
}
