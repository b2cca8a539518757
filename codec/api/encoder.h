// The encoder behind vaec_encoder_open / vaec_send_frame / vaec_receive_packet.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "api/loaded_model.h"
#include "api/rate_control.h"
#include "api/reference.h"
#include "common/frame.h"
#include "model/incremental_synthesis.h"
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
  // Made on demand: P-frames predict from latents, so coding never needs the pixels.
  const Frame& last_reconstruction();

 private:
  static constexpr size_t kMaxQueued = 4;
  // A P-frame over this share of the last I-frame's size is compared with an I-frame.
  static constexpr double kSceneCutShare = 0.6;
  // Bitrate mode, at each I-frame: picks the GOP's quality (bisection) and codes the I-frame.
  void start_rate_controlled_gop(const model::UngainedAnalysis& ungained, std::vector<uint8_t>* payload,
                                 Reference* next);
  LoadedModel model_;
  VaecSettings settings_;
  std::unique_ptr<RateControl> rate_control_;  // bitrate mode only
  int gop_quality_ = 50;
  std::deque<OutputPacket> queue_;
  Frame input_, reconstruction_;
  bool reconstruction_current_ = false;
  model::IncrementalSynthesis synthesis_;  // for last_reconstruction()
  Reference reference_;  // what the last frame left for the next P-frame
  int frames_since_intra_ = 0;
  size_t last_intra_bytes_ = 0;
  int64_t frames_ = 0;
  bool flushing_ = false;
};

}  // namespace vaec::api
