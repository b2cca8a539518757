#include "coding/dec_frame.h"

#include "bitstream/container.h"

#include "coding/dec_inter.h"
#include "coding/dec_intra.h"
#include "coding/dec_motion.h"
#include "coding/motion_payload.h"
#include "coding/dec_refinement.h"

namespace vaec::coding {

FrameDecoder::FrameDecoder(const model::DecodingModel& model, int width, int height, int stream_major, int threads)
    : model_(model),
      width_(width),
      height_(height),
      stream_major_(stream_major),
      threads_(threads) {}

Status FrameDecoder::decode_motion(const uint8_t* payload, size_t size, Frame* picture) {
  if (stream_major_ < bitstream::kMotionMajor) return Status(StatusCode::kCorruptData, "motion P-frame in a stream older than 3.0");
  if (!has_picture_ || !reference_.valid())
    return Status(StatusCode::kCorruptData, "P-frame without a decodable reference (decoding must start at an I-frame)");
  return decode_motion_payload(model_, payload, size, last_picture_, stream_major_, threads_, picture);
}

Status FrameDecoder::decode(FrameType type, const uint8_t* payload, size_t size, Frame* picture) {
  if (type == FrameType::kInter && size >= 1 && payload[0] == kMotionPayloadMarker) {
    const Status st = decode_motion(payload, size, picture);
    if (!st.ok()) {
      lose_reference();
      return st;
    }
    last_picture_ = *picture;
    if (observer_) observer_(type, reference_, *picture);
    return OkStatus();
  }
  RefinementBytes refinement;
  RefinementBytes* allow_refinement = stream_major_ >= bitstream::kRefinementMajor ? &refinement : nullptr;
  Status st = type == FrameType::kIntra
                  ? decode_intra_payload(model_, payload, size, width_, height_, threads_, &reference_,
                                         allow_refinement, stream_major_ >= bitstream::kSynthesisUpdateMajor)
                  : decode_inter_payload(payload, size, &reference_, allow_refinement);
  if (!st.ok()) {
    lose_reference();
    return st;
  }
  *picture = synthesis_.run(model_, reference_.y_hat_q10, width_, height_, reference_.quality, threads_,
                            reference_.synthesis);
  if (refinement.present) {
    st = decode_refinement(refinement.data, refinement.size, refinement_context(reference_, type == FrameType::kInter),
                           picture, &reference_.refinement_offsets);
    if (!st.ok()) {
      lose_reference();
      return st;
    }
  } else {
    reference_.refinement_offsets = RefinementOffsets{};
  }
  last_picture_ = *picture;
  has_picture_ = true;
  if (observer_) observer_(type, reference_, *picture);
  return OkStatus();
}

}  // namespace vaec::coding
