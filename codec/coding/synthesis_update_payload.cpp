#include "coding/synthesis_update_payload.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "coding/payload_common.h"
#include "common/hash.h"
#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

namespace vaec::coding {

namespace {

constexpr size_t kFixedBytes = 12;  // kind, two shifts, two tables, mask, check

uint32_t deltas_check(const model::SynthesisUpdate& u) {
  std::vector<uint8_t> bytes;
  bytes.reserve(4 * (u.centre.size() + u.bias.size()));
  auto put = [&](int32_t v) {
    const uint32_t x = uint32_t(v);
    for (int k = 0; k < 4; ++k) bytes.push_back(uint8_t(x >> (8 * k)));
  };
  for (int32_t v : u.centre) put(v);
  for (int32_t v : u.bias) put(v);
  return uint32_t(xxh3_64(bytes.data(), bytes.size()));
}

// Bit o: output o has a non-zero centre-tap level.
uint32_t output_mask(const SynthesisUpdateLevels& levels) {
  const size_t outputs = levels.bias.size(), inputs = outputs ? levels.weight.size() / outputs : 0;
  uint32_t mask = 0;
  for (size_t o = 0; o < outputs; ++o)
    for (size_t i = 0; i < inputs; ++i)
      if (levels.weight[o * inputs + i] != 0) mask |= uint32_t(1) << o;
  return mask;
}

// The rANS stream of the masked outputs' weight levels and all bias levels, each with its table.
Status code_levels(const SynthesisUpdateLevels& levels, uint32_t mask, int weight_table, int bias_table,
                   std::vector<uint8_t>* out) {
  const size_t outputs = levels.bias.size(), inputs = levels.weight.size() / outputs;
  std::vector<int32_t> values;
  for (size_t o = 0; o < outputs; ++o)
    if (mask >> o & 1) values.insert(values.end(), levels.weight.begin() + std::ptrdiff_t(o * inputs),
                                     levels.weight.begin() + std::ptrdiff_t((o + 1) * inputs));
  std::vector<int32_t> tables(values.size(), weight_table);
  values.insert(values.end(), levels.bias.begin(), levels.bias.end());
  tables.resize(values.size(), bias_table);
  return entropy::enc_rans(gaussian_tables(), values.data(), tables.data(), values.size(), 1, out);
}

int table_of(const std::vector<int32_t>& levels) {
  double sum = 0;
  for (int32_t v : levels) sum += double(v) * double(v);
  const double rms = std::sqrt(sum / double(std::max<size_t>(1, levels.size())));
  return entropy::gaussian_scale_index(int32_t(std::min(rms, 30000.0) * 65536));
}

}  // namespace

model::SynthesisUpdate dequantize_synthesis_update(const model::IntegerSynthesis& base,
                                                   const SynthesisUpdateLevels& levels) {
  const model::IntegerSubPixelConv& last = base.params().conv[2];
  if (levels.weight.size() != size_t(last.out) * last.in || levels.bias.size() != size_t(last.out))
    throw std::invalid_argument("synthesis update: levels do not match the model's last layer");
  model::SynthesisUpdate u;
  u.outputs = last.out;
  u.inputs = last.in;
  u.centre.resize(levels.weight.size());
  u.bias.resize(levels.bias.size());
  auto scaled = [](int32_t level, int shift) {
    const int64_t v = int64_t(level) * (int64_t(1) << std::max(0, shift));
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
      throw std::invalid_argument("synthesis update: a delta leaves 32 bits");
    return int32_t(v);
  };
  for (int o = 0; o < last.out; ++o) {
    u.bias[o] = scaled(levels.bias[o], last.shift[o] - levels.bias_shift);
    for (int i = 0; i < last.in; ++i)
      u.centre[size_t(o) * last.in + i] = scaled(levels.weight[size_t(o) * last.in + i], last.shift[o] - levels.weight_shift);
  }
  return u;
}

std::vector<uint8_t> write_synthesis_update(const model::IntegerSynthesis& base, const SynthesisUpdateLevels& levels) {
  if (levels.weight_shift < 0 || levels.weight_shift > kMaxSynthesisUpdateShift || levels.bias_shift < 0 ||
      levels.bias_shift > kMaxSynthesisUpdateShift)
    throw std::invalid_argument("synthesis update: step shift outside 0..40");
  const model::SynthesisUpdate u = dequantize_synthesis_update(base, levels);
  if (levels.bias.size() > 24) throw std::invalid_argument("synthesis update: more than 24 outputs");
  const uint32_t mask = output_mask(levels);
  // The table the levels' spread suggests, or a neighbour where that codes them smaller.
  std::vector<int32_t> masked;
  for (size_t k = 0; k < levels.weight.size(); ++k)
    if (mask >> (k / size_t(u.inputs)) & 1) masked.push_back(levels.weight[k]);
  const int w0 = table_of(masked), b0 = table_of(levels.bias);
  std::vector<uint8_t> best;
  int best_w = w0, best_b = b0;
  for (int w = std::max(0, w0 - 2); w <= std::min(entropy::kNumGaussianScales - 1, w0 + 2); ++w)
    for (int b = std::max(0, b0 - 1); b <= std::min(entropy::kNumGaussianScales - 1, b0 + 1); ++b) {
      std::vector<uint8_t> bytes;
      const Status st = code_levels(levels, mask, w, b, &bytes);
      if (!st.ok()) throw std::runtime_error(std::string("synthesis update: ") + st.message());
      if (best.empty() || bytes.size() < best.size()) best = std::move(bytes), best_w = w, best_b = b;
    }
  std::vector<uint8_t> out = {0, uint8_t(levels.weight_shift), uint8_t(levels.bias_shift), uint8_t(best_w),
                              uint8_t(best_b), uint8_t(mask), uint8_t(mask >> 8), uint8_t(mask >> 16)};
  const uint32_t check = deltas_check(u);
  for (int k = 0; k < 4; ++k) out.push_back(uint8_t(check >> (8 * k)));
  out.insert(out.end(), best.begin(), best.end());
  return out;
}

Status parse_synthesis_update(const model::IntegerSynthesis& base, const uint8_t* data, size_t size,
                              model::SynthesisUpdate* out) {
  auto corrupt = [](const char* what) { return Status(StatusCode::kCorruptData, what); };
  if (size < kFixedBytes) return Status(StatusCode::kTruncated, "synthesis update: truncated");
  if (data[0] != 0) return corrupt("synthesis update: unknown kind");
  SynthesisUpdateLevels levels;
  levels.weight_shift = data[1];
  levels.bias_shift = data[2];
  if (levels.weight_shift > kMaxSynthesisUpdateShift || levels.bias_shift > kMaxSynthesisUpdateShift)
    return corrupt("synthesis update: step shift outside 0..40");
  if (data[3] >= entropy::kNumGaussianScales || data[4] >= entropy::kNumGaussianScales)
    return corrupt("synthesis update: table outside 0..63");
  const uint32_t mask = uint32_t(data[5]) | uint32_t(data[6]) << 8 | uint32_t(data[7]) << 16;
  const uint32_t check = uint32_t(data[8]) | uint32_t(data[9]) << 8 | uint32_t(data[10]) << 16 | uint32_t(data[11]) << 24;
  const model::IntegerSubPixelConv& last = base.params().conv[2];
  const int outputs = last.out, inputs = last.in;
  if (outputs > 24 || (outputs < 24 && mask >> outputs)) return corrupt("synthesis update: mask names an output the model lacks");
  size_t masked = 0;
  for (int o = 0; o < outputs; ++o) masked += (mask >> o & 1) * size_t(inputs);
  std::vector<int32_t> tables(masked, data[3]);
  tables.resize(masked + size_t(outputs), data[4]);
  std::vector<int32_t> values(tables.size());
  VAEC_RETURN_IF_ERROR(entropy::dec_rans(gaussian_tables(), data + kFixedBytes, size - kFixedBytes, tables.data(),
                                         values.size(), 1, values.data()));
  levels.weight.assign(size_t(outputs) * inputs, 0);
  for (int o = 0, k = 0; o < outputs; ++o)
    if (mask >> o & 1)
      for (int i = 0; i < inputs; ++i) levels.weight[size_t(o) * inputs + i] = values[size_t(k++)];
  levels.bias.assign(values.begin() + std::ptrdiff_t(masked), values.end());
  model::SynthesisUpdate u;
  try {
    u = dequantize_synthesis_update(base, levels);
  } catch (const std::invalid_argument&) {
    return corrupt("synthesis update: a delta leaves 32 bits");
  }
  if (deltas_check(u) != check)
    return Status(StatusCode::kChecksumMismatch, "synthesis update: check mismatch (the update is damaged)");
  // A well-formed update the model cannot take: one made for another model's last layer.
  if (!model::synthesis_update_error(base, u).empty())
    return corrupt("synthesis update: it does not fit the model's last layer");
  *out = std::move(u);
  return OkStatus();
}

}  // namespace vaec::coding
