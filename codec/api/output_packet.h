// What vaec_receive_packet hands out (VaecPacket.priv owns it until vaec_packet_unref).
#pragma once

#include <cstdint>
#include <vector>

#include "vaec/vaec.h"

namespace vaec::api {

// One output unit: a complete .vae record (the stream header first, then one per frame).
struct OutputPacket {
  std::vector<uint8_t> record;
  int64_t pts = 0;
  VaecFrameType type = VAEC_FRAME_NONE;
  int quality = 0;
  int synthesis_update_bytes = 0;
};

}  // namespace vaec::api
