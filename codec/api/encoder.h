// The encoder behind vaec_encoder_open / vaec_send_frame / vaec_receive_packet: settings, the
// stream header, and one packet record per frame around the frame encoder's payloads
// (coding/enc_frame.h makes every coding decision).
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "coding/enc_frame.h"
#include "api/output_packet.h"
#include "common/frame.h"
#include "model/loaded_model.h"
#include "vaec/vaec.h"

namespace vaec::api {

class Encoder {
 public:
  // Throws std::invalid_argument for bad settings, model::ModelFileError for a bad model.
  explicit Encoder(const VaecSettings& settings);

  // Returns VAEC_EAGAIN when packets must be drained first.
  int send_frame(const VaecPicture* picture);  // nullptr flushes
  int receive_packet(OutputPacket* out);

  // Encoder-side reconstruction of the last frame sent (what the decoder will output).
  const Frame& last_reconstruction() { return frames_->last_reconstruction(); }

 private:
  static constexpr size_t kMaxQueued = 4;
  model::LoadedModel model_;
  VaecSettings settings_;
  std::unique_ptr<coding::FrameEncoder> frames_;
  std::deque<OutputPacket> queue_;
  int64_t frames_sent_ = 0;
  bool flushing_ = false;
};

}  // namespace vaec::api
