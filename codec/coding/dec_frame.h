// The frame decoder: one frame payload in, its picture out, keeping what the next P-frame
// predicts from. The API layer (api/decoder.h) parses packet records and hands it payloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "coding/frame_type.h"
#include "coding/reference.h"
#include "common/frame.h"
#include "common/status.h"
#include "model/incremental_synthesis.h"
#include "model/decoding_model.h"

namespace vaec::coding {

class FrameDecoder {
 public:
  // `model` must outlive the decoder. `stream_major`: the stream's major version, which says
  // what its payloads may hold (refinement sub-streams from 2.0, motion P-frames from 3.0,
  // their transform residual from 4.0). `threads` (>= 1) only changes speed.
  FrameDecoder(const model::DecodingModel& model, int width, int height, int stream_major, int threads);

  // Decodes one payload into *picture. A damaged payload, or a P-frame without a decodable
  // reference, gives an error status and loses the references: P-frames fail until the next
  // I-frame. A P-frame payload is a latent one (coding/inter_context.h) or a motion one
  // (coding/motion_payload.h), told apart by its first byte. Never undefined behaviour on
  // malformed data.
  Status decode(FrameType type, const uint8_t* payload, size_t size, Frame* picture);
  // A frame was lost before its payload reached decode() (e.g. a bad checksum).
  void lose_reference() {
    reference_.invalidate();
    has_picture_ = false;
  }

  // Called after each decoded frame with what the decoder holds then: the exact integers the
  // next P-frame predicts from, and the picture. For verification tools (the determinism
  // checks hash exactly what this decoder produced); empty by default.
  using Observer = std::function<void(FrameType, const Reference&, const Frame&)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

 private:
  // A motion P-frame: needs a 3.x stream (4.x with a transform residual) and the previous
  // frame's picture.
  Status decode_motion(const uint8_t* payload, size_t size, Frame* picture);
  const model::DecodingModel& model_;
  int width_, height_;
  int stream_major_;
  int threads_;
  Frame last_picture_;        // what a motion P-frame predicts from
  bool has_picture_ = false;
  Reference reference_;  // what the last decoded frame left for the next P-frame
  model::IncrementalSynthesis synthesis_;  // re-synthesises only what changed since the last picture
  Observer observer_;
};

}  // namespace vaec::coding
