#include "train/crops_file.h"

#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>

namespace vaec::train {

namespace {
template <typename T> void put(std::ofstream& f, T v) { f.write(reinterpret_cast<const char*>(&v), sizeof v); }
}  // namespace

void write_crops_file(const Dataset& data, int count, int size, uint64_t seed, const std::string& path) {
  if (count < 1 || size < 16 || size % 16 != 0)
    throw std::invalid_argument("crops: count must be >= 1 and size a positive multiple of 16");
  const std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  out.write("VAECROPS", 8);
  put<uint32_t>(out, uint32_t(count));
  put<uint32_t>(out, uint32_t(size));
  std::mt19937_64 rng(seed);
  for (int k = 0; k < count && out; ++k) {
    const Frame crop = data.random_crop(rng, size);
    for (const auto& plane : crop.planes)
      out.write(reinterpret_cast<const char*>(plane.data()), std::streamsize(plane.size()));
  }
  out.close();
  if (!out || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path);
  }
}

}  // namespace vaec::train
