// The decoder behind vaec_decoder_open / vaec_send_packet / vaec_get_frame: the stream header,
// packet records and their checksums around the frame decoder (coding/dec_frame.h).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "bitstream/container.h"
#include "coding/dec_frame.h"
#include "common/frame.h"
#include "model/decoding_model.h"
#include "vaec/vaec.h"

namespace vaec::api {

struct DecodedFrame {
  Frame frame;
  int64_t pts = 0;
  VaecFrameType type = VAEC_FRAME_I;
};

class Decoder {
 public:
  // Loads the model now, so a missing or damaged model is refused at open; with a directory of
  // models (api/model_directory.h), at the stream header: the one the stream names.
  explicit Decoder(const VaecSettings& settings);

  // The first packet must be the stream header record, then one packet record per call.
  // A damaged packet fails (VAEC_ECHECKSUM / VAEC_EINVALIDDATA), and so do the P-frames that
  // depend on it; decoding resumes at the next I-frame. A stream may start at any I-frame.
  int send_packet(const uint8_t* data, size_t size);
  int flush();
  int get_frame(DecodedFrame* out);

  // Details of the last failure (e.g. both model hashes), empty when none.
  const std::string& error_detail() const { return detail_; }

  // Verification tools (tests/determinism): sees every decoded frame's exact integers and
  // picture (coding::FrameDecoder::Observer). Set before the stream header.
  void set_frame_observer(coding::FrameDecoder::Observer observer) { observer_ = std::move(observer); }

 private:
  int fail(int status, std::string detail);
  int lose_frame(int status, std::string detail);
  int take_header(const uint8_t* data, size_t size);
  int load_stream_model();  // from model_dir_, by header_'s model hash
  static constexpr size_t kMaxQueued = 4;
  model::LoadedDecodingModel model_;
  int threads_ = 0;
  int cpu_ = 0;            // a VaecCpu
  std::string model_dir_;  // non-empty: the model is picked at the stream header
  bitstream::StreamHeader header_;
  std::unique_ptr<coding::FrameDecoder> frames_;  // from the stream header on
  bool flushing_ = false;
  int64_t last_pts_ = -2;  // display index of the last frame decoded (-2: none usable)
  coding::FrameDecoder::Observer observer_;
  std::deque<DecodedFrame> queue_;
  std::string detail_;
};

}  // namespace vaec::api
