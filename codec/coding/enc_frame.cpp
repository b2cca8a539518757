#include "coding/enc_frame.h"

#include <stdexcept>
#include <string>
#include <utility>

#include <ATen/Parallel.h>

#include "bitstream/container.h"
#include "coding/dec_intra.h"
#include "coding/dec_refinement.h"
#include "coding/enc_inter.h"
#include "coding/enc_intra.h"
#include "coding/enc_refinement.h"
#include "coding/quality_map.h"

namespace vaec::coding {

FrameEncoder::FrameEncoder(model::IntraModel& model, const EncoderOptions& options)
    : model_(model), options_(options), gop_quality_(options.quality) {
  if (options.bitrate_kbps > 0)
    rate_control_ = std::make_unique<RateControl>(options.bitrate_kbps, options.fps, options.gop);
}

void FrameEncoder::add_stream_overhead(int64_t bytes) {
  if (rate_control_) rate_control_->add_overhead(bytes * 8);
}

CodedFrame FrameEncoder::encode(Frame input) {
  input_ = std::move(input);
  reconstruction_current_ = false;

  const bool intra_due = !reference_.valid() || frames_since_intra_ >= options_.gop ||
                         (rate_control_ && rate_control_->gop_off_course(gop_quality_));
  CodedFrame out;
  std::vector<uint8_t>& payload = out.payload;
  Reference next;           // an I-frame's
  InterResidual residual;   // a P-frame's, applied to reference_ in place
  bool refined = false;      // the rate-controlled path codes the refinement itself
  const model::UngainedAnalysis ungained = model::ungained_analysis(model_, input_);
  if (rate_control_ && intra_due) {
    start_rate_controlled_gop(ungained, &payload, &next);
    refined = true;
  } else {
    const model::AnalysedFrame analysed =
        model::with_gain(model_, ungained, coding_point(gop_quality_).model_quality);
    if (intra_due) {
      payload = encode_intra_payload(model_, analysed, &next);
    } else {
      payload = encode_inter_payload(analysed, reference_, &residual);
      out.type = FrameType::kInter;
      // Scene cut (or motion the latent prediction cannot follow): when the P-frame costs
      // near what an I-frame did, try an I-frame and keep the cheaper, restarting the GOP.
      if (double(payload.size()) > kSceneCutShare * double(last_intra_bytes_)) {
        Reference intra_next;
        std::vector<uint8_t> intra = encode_intra_payload(model_, analysed, &intra_next);
        if (intra.size() <= payload.size()) {
          payload = std::move(intra);
          next = std::move(intra_next);
          out.type = FrameType::kIntra;
          if (rate_control_) {  // a new scene: new quality
            start_rate_controlled_gop(ungained, &payload, &next);
            refined = true;
          }
        }
      }
    }
  }
  if (out.type == FrameType::kInter) {
    Status st = apply_residual(residual, &reference_);
    if (!st.ok()) throw std::runtime_error(std::string("P-frame: ") + st.message());
  } else {
    reference_ = std::move(next);
  }
  // Scene cuts compare the latents' cost only: a refinement costs an I- and a P-frame alike.
  const size_t latent_bytes = payload.size();
  const CodingPoint point = coding_point(gop_quality_);
  if (!refined && point.refined()) {
    reconstruction_ = synthesis_.run(model_.decoding(), reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality, at::get_num_threads());
    append_refinement(input_, point.refinement_step_q4, out.type == FrameType::kInter, &reference_, &reconstruction_,
                      &payload);
    reconstruction_current_ = true;
  }
  if (out.type == FrameType::kIntra) {
    frames_since_intra_ = 0;
    last_intra_bytes_ = latent_bytes;
  }
  ++frames_since_intra_;

  if (rate_control_) {  // the packet record's header and an I-frame's entry in the index count too
    const size_t index_bytes = out.type == FrameType::kIntra ? bitstream::kIndexEntrySize : 0;
    rate_control_->add_spent(out.type, int64_t(payload.size() + bitstream::kPacketHeaderSize + index_bytes) * 8);
  }
  ++frames_;
  return out;
}

void FrameEncoder::start_rate_controlled_gop(const model::UngainedAnalysis& ungained, std::vector<uint8_t>* payload,
                                             Reference* next) {
  rate_control_->start_gop(frames_);
  const double budget = rate_control_->intra_budget(frames_) - 8.0 * bitstream::kPacketHeaderSize;
  // The whole payload at each candidate quality, refinement included: it is part of the cost.
  gop_quality_ = pick_quality(
      [&](int q) {
        const CodingPoint point = coding_point(q);
        Reference ref;
        std::vector<uint8_t> out =
            encode_intra_payload(model_, model::with_gain(model_, ungained, point.model_quality), &ref);
        if (point.refined()) {
          Frame picture = model::synthesise_q10(model_, ref.y_hat_q10, input_.width, input_.height, ref.quality);
          append_refinement(input_, point.refinement_step_q4, false, &ref, &picture, &out);
        }
        return out;
      },
      budget, payload);
  RefinementBytes refinement;
  Status st = decode_intra_payload(model_.decoding(), payload->data(), payload->size(), input_.width,
                                   input_.height, at::get_num_threads(), next, &refinement);
  if (st.ok() && refinement.present) {  // the picture the decoder will show
    reconstruction_ = synthesis_.run(model_.decoding(), next->y_hat_q10, input_.width, input_.height,
                                     next->quality, at::get_num_threads());
    st = decode_refinement(refinement.data, refinement.size, refinement_context(*next, false), &reconstruction_,
                           &next->refinement_offsets);
    reconstruction_current_ = true;
  }
  if (!st.ok()) throw std::runtime_error(std::string("reconstruction: ") + st.message());
}

const Frame& FrameEncoder::last_reconstruction() {
  if (!reconstruction_current_ && reference_.valid()) {
    reconstruction_ = synthesis_.run(model_.decoding(), reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality, at::get_num_threads());
    reconstruction_current_ = true;
  }
  return reconstruction_;
}

}  // namespace vaec::coding
