// libFuzzer target: the rANS decoder on arbitrary streams.
// Input: n (2 bytes, < 4096), then n table indices (one byte each, mod 64), then the stream.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::entropy;

namespace {
const CdfTableSet& tables() {
  static const CdfTableSet set = [] {
    CdfTableSet s;
    if (!build_gaussian_tables(&s).ok()) __builtin_trap();
    return s;
  }();
  return set;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t n = size_t(data[0] | (data[1] << 8)) % 4096;
  data += 2, size -= 2;
  if (n > size) n = size;
  std::vector<int32_t> index(n), values(n);
  for (size_t i = 0; i < n; ++i) index[i] = data[i] % kNumGaussianScales;
  data += n, size -= n;
  const Status st = dec_rans(tables(), data, size, index.data(), n, values.data());
  if (st.ok()) {
    // Whatever decodes must re-encode to the same bytes (the format is canonical).
    std::vector<uint8_t> again;
    if (!enc_rans(tables(), values.data(), index.data(), n, &again).ok()) __builtin_trap();
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  }
  return 0;
}
