#include "coding/dec_frame.h"

#include "coding/dec_inter.h"
#include "coding/dec_intra.h"
#include "coding/dec_refinement.h"

namespace vaec::coding {

FrameDecoder::FrameDecoder(const model::DecodingModel& model, int width, int height, bool allow_refinement,
                           int threads)
    : model_(model), width_(width), height_(height), allow_refinement_(allow_refinement), threads_(threads) {}

Status FrameDecoder::decode(FrameType type, const uint8_t* payload, size_t size, Frame* picture) {
  RefinementBytes refinement;
  RefinementBytes* allow_refinement = allow_refinement_ ? &refinement : nullptr;
  Status st = type == FrameType::kIntra
                  ? decode_intra_payload(model_, payload, size, width_, height_, threads_, &reference_,
                                         allow_refinement)
                  : decode_inter_payload(payload, size, &reference_, allow_refinement);
  if (!st.ok()) {
    reference_.invalidate();
    return st;
  }
  *picture = synthesis_.run(model_, reference_.y_hat_q10, width_, height_, reference_.quality, threads_);
  if (refinement.present) {
    st = decode_refinement(refinement.data, refinement.size, refinement_context(reference_, type == FrameType::kInter),
                           picture, &reference_.refinement_offsets);
    if (!st.ok()) {
      reference_.invalidate();
      return st;
    }
  } else {
    reference_.refinement_offsets = RefinementOffsets{};
  }
  if (observer_) observer_(type, reference_, *picture);
  return OkStatus();
}

}  // namespace vaec::coding
