// libFuzzer target: encode arbitrary values with arbitrary tables, decode, compare.
// Input: records of 5 bytes: table byte, then a 4-byte value; the table byte's top bit selects
// full int32 values (bypass-heavy) instead of small ones. Tables: Gaussian + edge tables.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::entropy;

namespace {
const CdfTableSet& tables() {
  static const CdfTableSet set = [] {
    CdfTableSet gauss;
    if (!build_gaussian_tables(&gauss).ok()) __builtin_trap();
    std::vector<CdfTable> all;
    for (size_t i = 0; i < gauss.size(); ++i) all.push_back(gauss.table(i));
    CdfTable t;  // tables at the ends of int32
    if (!CdfTable::from_pmf(std::vector<double>{0.5, 0.3, 0.1}, std::numeric_limits<int32_t>::min(), &t).ok()) __builtin_trap();
    all.push_back(t);
    if (!CdfTable::from_pmf(std::vector<double>{0.1, 0.3, 0.5}, std::numeric_limits<int32_t>::max() - 2, &t).ok()) __builtin_trap();
    all.push_back(t);
    CdfTableSet s;
    if (!CdfTableSet::create(all, &s).ok()) __builtin_trap();
    return s;
  }();
  return set;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t n = size / 5;
  std::vector<int32_t> values(n), index(n), decoded(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t sel = data[5 * i];
    uint32_t raw;
    std::memcpy(&raw, data + 5 * i + 1, 4);
    index[i] = int32_t((sel & 0x7f) % tables().size());
    values[i] = (sel & 0x80) ? int32_t(raw) : int32_t(int8_t(raw));
  }
  std::vector<uint8_t> bytes;
  if (!enc_rans(tables(), values.data(), index.data(), n, &bytes).ok()) __builtin_trap();
  if (!dec_rans(tables(), bytes.data(), bytes.size(), index.data(), n, decoded.data()).ok()) __builtin_trap();
  if (decoded != values) __builtin_trap();
  return 0;
}
