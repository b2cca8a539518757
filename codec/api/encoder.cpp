#include "api/encoder.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "api/inter_payload.h"
#include "api/intra_payload.h"
#include "api/quality_map.h"
#include "api/refinement.h"
#include "api/settings.h"
#include "bitstream/container.h"
#include "bitstream/substreams.h"

namespace vaec::api {
namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

// PSNR-YUV's distortion up to a constant: (6 MSE_Y + MSE_U + MSE_V) / 8 weighs a luma sample
// 6 and a chroma sample 4 (a quarter as many).
double weighted_sse(const Frame& a, const Frame& b) {
  double sse[3] = {0, 0, 0};
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < a.planes[p].size(); ++i) {
      const double d = double(a.planes[p][i]) - double(b.planes[p][i]);
      sse[p] += d * d;
    }
  return 6 * sse[0] + 4 * (sse[1] + sse[2]);
}

// Codes original - *picture (the frame's synthesis) and appends it when it pays for its bits,
// making *picture the refined picture; else leaves both alone (easy content: the model's picture
// is already within the step). The price of a bit is the high-rate slope of a uniform quantizer
// of the luma step: dD/dR = 2 ln2 * 6 * step^2 / 12 in weighted_sse units.
// `ref` is what the frame left (its offsets are replaced by the refinement's, or cleared).
void append_refinement(const Frame& original, int step_q4, bool inter, Reference* ref, Frame* picture,
                       std::vector<uint8_t>* payload) {
  Frame refined = *picture;
  RefinementOffsets offsets;
  const std::vector<uint8_t> bytes =
      encode_refinement(original, step_q4, refinement_context(*ref, inter), &refined, &offsets);
  const double step = step_q4 / 16.0, lambda = std::log(2.0) * step * step;
  const double gain = weighted_sse(original, *picture) - weighted_sse(original, refined);
  if (gain <= lambda * 8.0 * double(bytes.size() + 1)) {
    ref->refinement_offsets = RefinementOffsets{};
    return;
  }
  bitstream::append_substream(bytes.data(), bytes.size(), payload);
  *picture = std::move(refined);
  ref->refinement_offsets = std::move(offsets);
}
}  // namespace

Encoder::Encoder(const VaecSettings& s) : settings_(s) {
  validate_common_settings(s);
  require(s.quality >= 1 && s.quality <= 100, "settings: quality must be 1..100");
  require(s.gop >= 1 && uint32_t(s.gop) <= bitstream::kMaxGop, "settings: gop must be 1..65535");
  require(s.width >= 1 && s.height >= 1 && uint32_t(s.width) <= bitstream::kMaxDimension &&
              uint32_t(s.height) <= bitstream::kMaxDimension,
          "settings: width and height must be 1..16384");
  require(s.fps_num > 0 && s.fps_den > 0 && uint32_t(s.fps_num) <= bitstream::kMaxRateTerm &&
              uint32_t(s.fps_den) <= bitstream::kMaxRateTerm,
          "settings: frame rate must be a positive rational with terms up to 1000000");
  require(s.frame_count >= 0, "settings: frame_count must be >= 0");
  require(s.bitrate_kbps >= 0 && s.bitrate_kbps <= 1000000, "settings: bitrate_kbps must be 0..1000000");
  gop_quality_ = s.quality;
  if (s.bitrate_kbps > 0)
    rate_control_ = std::make_unique<RateControl>(s.bitrate_kbps, double(s.fps_num) / s.fps_den, s.gop);
  settings_.model_path = nullptr;  // not owned: never used after open
  model_ = load_model(s.model_path);
  apply_thread_setting(s.threads);

  bitstream::StreamHeader h;
  h.width = uint32_t(s.width);
  h.height = uint32_t(s.height);
  h.fps_num = uint32_t(s.fps_num);
  h.fps_den = uint32_t(s.fps_den);
  h.gop = uint32_t(s.gop);
  h.frame_count = uint32_t(s.frame_count);
  h.quality = uint8_t(s.quality);
  h.encoder_version = (VAEC_API_VERSION_MAJOR << 16) | (VAEC_API_VERSION_MINOR << 8);
  h.model_hash = model_.hash;
  OutputPacket header;
  Status st = bitstream::serialize_header(h, &header.record);
  if (!st.ok()) throw std::invalid_argument(std::string("settings: ") + st.message());
  // The header and the closing index count against the budget too (kept in the file's size).
  if (rate_control_)
    rate_control_->add_overhead(int64_t(header.record.size() + bitstream::kPacketHeaderSize + bitstream::kFooterSize) * 8);
  queue_.push_back(std::move(header));
}

int Encoder::send_frame(const VaecPicture* picture) {
  if (flushing_) return picture ? VAEC_EINVAL : VAEC_OK;
  if (!picture) {
    flushing_ = true;
    return VAEC_OK;
  }
  if (queue_.size() >= kMaxQueued) return VAEC_EAGAIN;
  if (settings_.frame_count > 0 && frames_ >= settings_.frame_count)
    throw std::invalid_argument("more frames than settings.frame_count");
  copy_picture(*picture, settings_.width, settings_.height, &input_);
  reconstruction_current_ = false;

  const bool intra_due = !reference_.valid() || frames_since_intra_ >= settings_.gop ||
                         (rate_control_ && rate_control_->gop_off_course(gop_quality_));
  std::vector<uint8_t> payload;
  Reference next;           // an I-frame's
  InterResidual residual;   // a P-frame's, applied to reference_ in place
  VaecFrameType type = VAEC_FRAME_I;
  bool refined = false;      // the rate-controlled path codes the refinement itself
  const model::UngainedAnalysis ungained = model::ungained_analysis(model_.model, input_);
  if (rate_control_ && intra_due) {
    start_rate_controlled_gop(ungained, &payload, &next);
    refined = true;
  } else {
    const model::AnalysedFrame analysed =
        model::with_gain(model_.model, ungained, coding_point(gop_quality_).model_quality);
    if (intra_due) {
      payload = encode_intra_payload(model_.model, analysed, &next);
    } else {
      payload = encode_inter_payload(analysed, reference_, &residual);
      type = VAEC_FRAME_P;
      // Scene cut (or motion the latent prediction cannot follow): when the P-frame costs
      // near what an I-frame did, try an I-frame and keep the cheaper, restarting the GOP.
      if (double(payload.size()) > kSceneCutShare * double(last_intra_bytes_)) {
        Reference intra_next;
        std::vector<uint8_t> intra = encode_intra_payload(model_.model, analysed, &intra_next);
        if (intra.size() <= payload.size()) {
          payload = std::move(intra);
          next = std::move(intra_next);
          type = VAEC_FRAME_I;
          if (rate_control_) {  // a new scene: new quality
            start_rate_controlled_gop(ungained, &payload, &next);
            refined = true;
          }
        }
      }
    }
  }
  if (type == VAEC_FRAME_P) {
    Status st = apply_residual(residual, &reference_);
    if (!st.ok()) throw std::runtime_error(std::string("P-frame: ") + st.message());
  } else {
    reference_ = std::move(next);
  }
  // Scene cuts compare the latents' cost only: a refinement costs an I- and a P-frame alike.
  const size_t latent_bytes = payload.size();
  const CodingPoint point = coding_point(gop_quality_);
  if (!refined && point.refined()) {
    reconstruction_ = synthesis_.run(model_.model, reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality);
    append_refinement(input_, point.refinement_step_q4, type == VAEC_FRAME_P, &reference_, &reconstruction_,
                      &payload);
    reconstruction_current_ = true;
  }
  if (type == VAEC_FRAME_I) {
    frames_since_intra_ = 0;
    last_intra_bytes_ = latent_bytes;
  }
  ++frames_since_intra_;

  const size_t index_bytes = type == VAEC_FRAME_I ? bitstream::kIndexEntrySize : 0;  // its entry in the index
  if (rate_control_)
    rate_control_->add_spent(type, int64_t(payload.size() + bitstream::kPacketHeaderSize + index_bytes) * 8);
  OutputPacket packet;
  packet.pts = frames_;
  packet.type = type;
  const auto packet_type = type == VAEC_FRAME_I ? bitstream::PacketType::kIntraFrame : bitstream::PacketType::kInterFrame;
  Status st = bitstream::append_packet_record(uint8_t(packet_type), uint64_t(frames_), payload.data(), payload.size(),
                                              &packet.record);
  if (!st.ok()) throw std::runtime_error(std::string("packet: ") + st.message());
  queue_.push_back(std::move(packet));
  ++frames_;
  return VAEC_OK;
}

void Encoder::start_rate_controlled_gop(const model::UngainedAnalysis& ungained, std::vector<uint8_t>* payload,
                                        Reference* next) {
  rate_control_->start_gop(frames_);
  const double budget = rate_control_->intra_budget(frames_) - 8.0 * bitstream::kPacketHeaderSize;
  // The whole payload at each candidate quality, refinement included: it is part of the cost.
  gop_quality_ = pick_quality(
      [&](int q) {
        const CodingPoint point = coding_point(q);
        Reference ref;
        std::vector<uint8_t> out =
            encode_intra_payload(model_.model, model::with_gain(model_.model, ungained, point.model_quality), &ref);
        if (point.refined()) {
          Frame picture = model::synthesise_q10(model_.model, ref.y_hat_q10, input_.width, input_.height, ref.quality);
          append_refinement(input_, point.refinement_step_q4, false, &ref, &picture, &out);
        }
        return out;
      },
      budget, payload);
  RefinementBytes refinement;
  Status st = decode_intra_payload(model_.model, payload->data(), payload->size(), input_.width, input_.height, next,
                                   &refinement);
  if (st.ok() && refinement.present) {  // the picture the decoder will show
    reconstruction_ = synthesis_.run(model_.model, next->y_hat_q10, input_.width, input_.height, next->quality);
    st = decode_refinement(refinement.data, refinement.size, refinement_context(*next, false), &reconstruction_,
                           &next->refinement_offsets);
    reconstruction_current_ = true;
  }
  if (!st.ok()) throw std::runtime_error(std::string("reconstruction: ") + st.message());
}

const Frame& Encoder::last_reconstruction() {
  if (!reconstruction_current_ && reference_.valid()) {
    reconstruction_ = synthesis_.run(model_.model, reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality);
    reconstruction_current_ = true;
  }
  return reconstruction_;
}

int Encoder::receive_packet(OutputPacket* out) {
  if (queue_.empty()) return flushing_ ? VAEC_EOF : VAEC_EAGAIN;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return VAEC_OK;
}

}  // namespace vaec::api
