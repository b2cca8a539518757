// libFuzzer target: the CDF-table-set loader (model files embed these).
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <vector>

#include "entropy/cdf_table.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::entropy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CdfTableSet set;
  if (!CdfTableSet::deserialize(data, size, &set).ok()) return 0;
  // A loaded set is canonical and usable: it re-serializes to the input and codes values.
  const std::vector<uint8_t> again = set.serialize();
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) __builtin_trap();
  std::vector<int32_t> values, index;
  for (size_t t = 0; t < set.size() && t < 64; ++t) {
    for (int32_t d : {-1, 0, 1, 5}) {
      index.push_back(int32_t(t));
      const int64_t v = int64_t(set.table(t).offset) + d;
      values.push_back(int32_t(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX)));
    }
  }
  std::vector<uint8_t> bytes;
  std::vector<int32_t> decoded(values.size());
  if (!enc_rans(set, values.data(), index.data(), values.size(), &bytes).ok()) __builtin_trap();
  if (!dec_rans(set, bytes.data(), bytes.size(), index.data(), index.size(), decoded.data()).ok()) __builtin_trap();
  if (decoded != values) __builtin_trap();
  return 0;
}
