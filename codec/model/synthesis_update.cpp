#include "model/synthesis_update.h"

#include <limits>
#include <stdexcept>

namespace vaec::model {

namespace {
constexpr int kCentreTap = 4;  // [1][1] of a 3x3 kernel
}

std::string synthesis_update_error(const IntegerSynthesis& base, const SynthesisUpdate& u) {
  if (base.empty()) return "no synthesis to update";
  const IntegerSubPixelConv& last = base.params().conv[2];
  if (u.outputs != last.out || u.inputs != last.in || u.centre.size() != size_t(last.out) * last.in ||
      u.bias.size() != size_t(last.out))
    return "it does not match the model's last layer (" + std::to_string(last.in) + " -> " +
           std::to_string(last.out) + " channels)";
  for (int o = 0; o < last.out; ++o) {
    const int64_t b = int64_t(last.bias[o]) + u.bias[o];
    if (b < std::numeric_limits<int32_t>::min() || b > std::numeric_limits<int32_t>::max())
      return "a bias leaves the 32-bit range";
    for (int i = 0; i < last.in; ++i) {
      const int64_t w = int64_t(last.weight[(size_t(o) * last.in + i) * 9 + kCentreTap]) + u.centre[size_t(o) * last.in + i];
      if (w < -kActivationMax || w > kActivationMax) return "a weight leaves -32767..32767";
    }
  }
  return "";
}

IntegerSynthesis apply_synthesis_update(const IntegerSynthesis& base, const SynthesisUpdate& u) {
  const std::string error = synthesis_update_error(base, u);
  if (!error.empty()) throw std::invalid_argument("synthesis update: " + error);
  IntegerSubPixelConv last = base.params().conv[2];
  for (int o = 0; o < last.out; ++o) {
    last.bias[o] += u.bias[o];
    for (int i = 0; i < last.in; ++i)
      last.weight[(size_t(o) * last.in + i) * 9 + kCentreTap] =
          int16_t(last.weight[(size_t(o) * last.in + i) * 9 + kCentreTap] + u.centre[size_t(o) * last.in + i]);
  }
  return base.with_last_layer(std::move(last));
}

}  // namespace vaec::model
