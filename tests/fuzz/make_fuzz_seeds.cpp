// Writes seed inputs for every fuzz target into <dir>/<target>/ (valid streams, so the
// fuzzers start deep in the formats). Not run by ctest; the minimized corpus is committed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bitstream/enc_container.h"
#include "entropy/byte_io.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::bitstream;
using namespace vaec::entropy;
namespace fs = std::filesystem;

static void save(const fs::path& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path out(argv[1]);
  std::mt19937 rng(1);

  // Container: small streams with and without index.
  for (int s = 0; s < 4; ++s) {
    StreamHeader h;
    h.width = 16 + 16 * s, h.height = 16, h.fps_num = 25, h.fps_den = 1, h.gop = 1 + s;
    h.frame_count = s % 2 ? 5 : 0;
    std::vector<uint8_t> bytes;
    VectorSink sink(&bytes);
    ContainerWriter w(&sink);
    if (!w.write_header(h).ok()) return 1;
    for (int f = 0; f < 5; ++f) {
      std::vector<uint8_t> payload(rng() % 24);
      for (uint8_t& b : payload) b = uint8_t(rng());
      const PacketType t = f % int(h.gop) == 0 ? PacketType::kIntraFrame : PacketType::kInterFrame;
      if (!w.write_frame(t, uint64_t(f), payload.data(), payload.size()).ok()) return 1;
    }
    if (s != 2 && !w.finish().ok()) return 1;
    save(out / "fuzz_container", "seed" + std::to_string(s), bytes);
  }

  CdfTableSet gauss;
  if (!build_gaussian_tables(&gauss).ok()) return 1;
  // rANS decode: n, indices, then a valid stream (single lane and interleaved).
  for (size_t n : {size_t(0), size_t(5), size_t(40), size_t(300)}) {
    std::vector<int32_t> values(n), index(n);
    std::vector<uint8_t> in;
    append_le16(&in, uint16_t(n));
    for (size_t i = 0; i < n; ++i) {
      index[i] = int32_t(rng() % 64);
      values[i] = i % 17 == 0 ? int32_t(rng()) : int32_t(rng() % 21) - 10;
      in.push_back(uint8_t(index[i]));
    }
    std::vector<uint8_t> stream;
    if (!enc_rans(gauss, values.data(), index.data(), n, &stream).ok()) return 1;
    in.insert(in.end(), stream.begin(), stream.end());
    save(out / "fuzz_rans_decode", "seed" + std::to_string(n), in);
  }
  // rANS round trip: records of (table, value).
  for (int s = 0; s < 3; ++s) {
    std::vector<uint8_t> in;
    for (int i = 0; i < 60 * (s + 1); ++i) {
      in.push_back(uint8_t(rng()));
      for (int b = 0; b < 4; ++b) in.push_back(uint8_t(rng()));
    }
    save(out / "fuzz_rans_roundtrip", "seed" + std::to_string(s), in);
  }
  // Table sets.
  std::vector<FactorizedPmf> channels = {{{0.1, 0.7, 0.2}, -1}, {{0.5, 0.5}, 100}};
  CdfTableSet set;
  if (!build_factorized_tables(channels, &set).ok()) return 1;
  save(out / "fuzz_cdf_table_set", "seed0", set.serialize());
  CdfTableSet one;
  if (!CdfTableSet::create({gauss.table(10)}, &one).ok()) return 1;
  save(out / "fuzz_cdf_table_set", "seed1", one.serialize());
  return 0;
}
