// The decoder behind vaec_decoder_open / vaec_send_packet / vaec_get_frame.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "api/loaded_model.h"
#include "api/reference.h"
#include "bitstream/container.h"
#include "common/frame.h"
#include "model/incremental_synthesis.h"
#include "vaec/vaec.h"

namespace vaec::api {

struct DecodedFrame {
  Frame frame;
  int64_t pts = 0;
  VaecFrameType type = VAEC_FRAME_I;
};

class Decoder {
 public:
  // Loads the model now, so a missing or damaged model is refused at open.
  explicit Decoder(const VaecSettings& settings);

  // The first packet must be the stream header record, then one packet record per call.
  // A damaged packet fails (VAEC_ECHECKSUM / VAEC_EINVALIDDATA), and so do the P-frames that
  // depend on it; decoding resumes at the next I-frame. A stream may start at any I-frame.
  int send_packet(const uint8_t* data, size_t size);
  int flush();
  int get_frame(DecodedFrame* out);

  bool has_header() const { return has_header_; }
  const bitstream::StreamHeader& header() const { return header_; }
  const LoadedModel& model() const { return model_; }
  // Details of the last failure (e.g. both model hashes), empty when none.
  const std::string& error_detail() const { return detail_; }

 private:
  int fail(int status, std::string detail);
  int lose_frame(int status, std::string detail);
  int take_header(const uint8_t* data, size_t size);
  static constexpr size_t kMaxQueued = 4;
  LoadedModel model_;
  bitstream::StreamHeader header_;
  bool has_header_ = false;
  bool flushing_ = false;
  Reference reference_;  // what the last decoded frame left for the next P-frame
  model::IncrementalSynthesis synthesis_;  // re-synthesises only what changed since the last picture
  std::deque<DecodedFrame> queue_;
  std::string detail_;
};

// Maps the codec core's status to the C API's.
int to_vaec_status(const Status& st);

}  // namespace vaec::api
