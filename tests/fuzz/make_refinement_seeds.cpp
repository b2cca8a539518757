// Writes valid fuzz_refinement inputs (intra and carried refinements of a few sizes) into
// <dir>/fuzz_refinement/. Not run by ctest; the seeds are committed.
#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_refinement_input.h"

using namespace vaec;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = fs::path(argv[1]) / "fuzz_refinement";
  fs::create_directories(dir);
  int n = 0;
  for (auto [w, h, flags, step] : {std::array{1, 1, 0, 16}, {17, 9, 0, 40}, {64, 48, 1, 64}, {33, 64, 3, 200}}) {
    const uint8_t prefix[fuzz::kRefinementInputPrefix] = {uint8_t(w - 1), uint8_t(h - 1), uint8_t(flags)};
    fuzz::RefinementInput in = fuzz::refinement_input(prefix);
    Frame original = in.picture;  // the "original": the picture with a pattern added
    for (int p = 0; p < 3; ++p)
      for (size_t i = 0; i < original.planes[p].size(); ++i)
        original.planes[p][i] = uint8_t(std::min(255, original.planes[p][i] + int(i * 31 % 23)));
    coding::RefinementOffsets offsets;
    std::vector<uint8_t> bytes(prefix, prefix + fuzz::kRefinementInputPrefix);
    const std::vector<uint8_t> stream = coding::encode_refinement(original, step, in.context(), &in.picture, &offsets);
    bytes.insert(bytes.end(), stream.begin(), stream.end());
    std::ofstream(dir / ("seed" + std::to_string(n++)), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  }
  std::printf("%d seeds in %s\n", n, dir.c_str());
  return 0;
}
