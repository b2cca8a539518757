// The limits of this build, checked before anything is allocated: by the container parser,
// the encoder's settings and the model's frame-size checks alike.
#pragma once

#include <cstdint>

namespace vaec {

constexpr uint32_t kMaxDimension = 16384;        // picture width and height
constexpr uint32_t kMaxRateTerm = 1000000;       // fps_num and fps_den
constexpr uint32_t kMaxGop = 65535;
constexpr uint32_t kMaxFrameCount = 1u << 31;    // also bounds display indices
constexpr uint32_t kMaxPayloadSize = 1u << 28;   // 256 MiB, any record
constexpr uint32_t kMaxBitrateKbps = 1000000;

}  // namespace vaec
