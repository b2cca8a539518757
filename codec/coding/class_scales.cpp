#include "coding/class_scales.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::coding {

void fit_class_scales(const entropy::CdfTableSet& tables, const int32_t* values, const uint8_t* classes, size_t n,
                      const uint8_t* previous, size_t count, uint8_t* out) {
  // Histogram per class over [-kSpan, kSpan]; rarer, larger values are kept one by one.
  constexpr int kSpan = 512;
  std::vector<uint32_t> hist(count * (2 * kSpan + 1), 0);
  std::vector<std::vector<int32_t>> outliers(count);
  for (size_t i = 0; i < n; ++i) {
    if (classes[i] >= count) throw std::invalid_argument("class scales: class out of range");
    const int32_t v = values[i];
    if (v >= -kSpan && v <= kSpan)
      ++hist[size_t(classes[i]) * (2 * kSpan + 1) + size_t(v + kSpan)];
    else
      outliers[classes[i]].push_back(v);
  }
  std::copy_n(previous, count, out);
  std::vector<std::pair<int32_t, uint32_t>> used;  // (value, count) of one class
  for (size_t c = 0; c < count; ++c) {
    used.clear();
    const uint32_t* h = &hist[c * (2 * kSpan + 1)];
    for (int v = -kSpan; v <= kSpan; ++v)
      if (h[v + kSpan]) used.emplace_back(v, h[v + kSpan]);
    for (int32_t v : outliers[c]) used.emplace_back(v, 1);
    if (used.empty()) continue;
    double best_bits = std::numeric_limits<double>::infinity(), previous_bits = best_bits;
    for (int t = 0; t < entropy::kNumGaussianScales && size_t(t) < tables.size(); ++t) {
      double bits = 0;
      for (const auto& [v, times] : used) bits += times * tables.table(size_t(t)).code_length(v);
      if (t == previous[c]) previous_bits = bits;
      if (bits < best_bits) {
        best_bits = bits;
        out[c] = uint8_t(t);
      }
    }
    if (previous_bits <= best_bits + kKeepScaleBits) out[c] = previous[c];
  }
}

void encode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* scales, const uint8_t* previous,
                         size_t count, std::vector<uint8_t>* stream) {
  std::vector<int32_t> deltas(count);
  for (size_t c = 0; c < count; ++c) deltas[c] = int32_t(scales[c]) - previous[c];
  const std::vector<int32_t> idx(count, kScaleDeltaTable);
  Status st = entropy::enc_rans(tables, deltas.data(), idx.data(), deltas.size(), stream);
  if (!st.ok()) throw std::runtime_error(std::string("class scales: ") + st.message());
}

Status decode_class_scales(const entropy::CdfTableSet& tables, const uint8_t* data, size_t size,
                           const uint8_t* previous, size_t count, uint8_t* out) {
  std::vector<int32_t> deltas(count);
  const std::vector<int32_t> idx(count, kScaleDeltaTable);
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(tables, data, size, idx.data(), deltas.size(), deltas.data()));
  for (size_t c = 0; c < count; ++c) {
    const int64_t s = int64_t(previous[c]) + deltas[c];
    if (s < 0 || s >= entropy::kNumGaussianScales) return Status(StatusCode::kCorruptData, "class scale out of range");
    out[c] = uint8_t(s);
  }
  return OkStatus();
}

}  // namespace vaec::coding
