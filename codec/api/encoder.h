// The encoder behind vaec_encoder_open / vaec_send_frame / vaec_receive_packet.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "api/loaded_model.h"
#include "api/rate_control.h"
#include "common/frame.h"
#include "vaec/vaec.h"

namespace vaec::api {

// One output unit: a complete .vae record (the stream header first, then one per frame).
struct OutputPacket {
  std::vector<uint8_t> record;
  int64_t pts = 0;
  VaecFrameType type = VAEC_FRAME_NONE;
};

class Encoder {
 public:
  // Throws std::invalid_argument for bad settings, std::runtime_error for a bad model.
  explicit Encoder(const VaecSettings& settings);

  // Returns VAEC_EAGAIN when packets must be drained first.
  int send_frame(const VaecPicture* picture);  // nullptr flushes
  int receive_packet(OutputPacket* out);

  // Encoder-side reconstruction of the last frame sent (what the decoder will output).
  const Frame& last_reconstruction() const { return reconstruction_; }

 private:
  static constexpr size_t kMaxQueued = 4;
  int quality_for_frame(std::vector<uint8_t>* payload);
  LoadedModel model_;
  VaecSettings settings_;
  std::unique_ptr<RateControl> rate_control_;  // bitrate mode only
  int gop_quality_ = 50;
  std::deque<OutputPacket> queue_;
  Frame input_, reconstruction_;
  int64_t frames_ = 0;
  bool flushing_ = false;
};

}  // namespace vaec::api
