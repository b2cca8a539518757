#include "coding/enc_frame.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include <ATen/Parallel.h>

#include "bitstream/container.h"
#include "coding/dec_intra.h"
#include "coding/dec_refinement.h"
#include "coding/dec_motion.h"
#include "coding/enc_inter.h"
#include "coding/enc_motion.h"
#include "coding/enc_intra.h"
#include "coding/enc_refinement.h"
#include "coding/enc_transform_residual.h"
#include "coding/quality_map.h"

namespace vaec::coding {

namespace {

// Mean squared error of 8-bit samples, YUV weighted 6:1:1 (the training loss' distortion).
double weighted_mse(const Frame& a, const Frame& b) {
  double mse[3];
  for (int p = 0; p < 3; ++p) {
    double sum = 0;
    for (size_t i = 0; i < a.planes[p].size(); ++i) {
      const double d = double(a.planes[p][i]) - double(b.planes[p][i]);
      sum += d * d;
    }
    mse[p] = sum / double(a.planes[p].size());
  }
  return (6 * mse[0] + mse[1] + mse[2]) / 8;
}

// The model's lambda at a continuous gain level (log-linear between levels, as the gains are).
double lambda_at(const std::vector<double>& lambdas, double level) {
  if (lambdas.size() < 2) return lambdas.empty() ? 0.01 : lambdas[0];
  const int lo = std::clamp(int(std::floor(level)), 0, int(lambdas.size()) - 2);
  const double t = level - lo;
  return std::exp(std::log(lambdas[size_t(lo)]) + t * (std::log(lambdas[size_t(lo) + 1]) - std::log(lambdas[size_t(lo)])));
}

}  // namespace

SampleLambdas FrameEncoder::sample_lambdas(double lambda) const {
  // rd_cost's distortion is lambda * (6 MSE_Y + MSE_U + MSE_V) / 8 * pixels.
  const double pixels = double(input_.width) * input_.height;
  return {lambda * 6 / 8, lambda / 8 * pixels / double(input_.plane_size(1))};
}

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
  bool motion_frame = false;  // a motion P-frame (coding/motion_payload.h)
  size_t motion_bytes = 0;    // its payload's size
  double motion_mse = 0;      // and its picture's weighted_mse()
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
      // The latent P-frame's reference: on a copy only where a motion P-frame, which keeps the
      // old one, may be chosen instead.
      const bool motion_allowed = options_.motion && has_output_ && !coding_point(gop_quality_).refined();
      Reference latent_copy;
      if (motion_allowed) latent_copy = reference_;
      Reference& latent_next = motion_allowed ? latent_copy : reference_;
      Status st = apply_residual(residual, &latent_next);
      if (!st.ok()) throw std::runtime_error(std::string("P-frame: ") + st.message());
      if (motion_allowed) {
        // The latent P-frame's picture, to compare with motion (the synthesis keeps it for reuse).
        const Frame latent_picture = synthesis_.run(model_.decoding(), latent_next.y_hat_q10, input_.width,
                                                    input_.height, latent_next.quality, at::get_num_threads());
        MotionChoice motion = try_motion(coding_point(gop_quality_).model_quality, payload, latent_picture);
        motion_frame = motion.chosen;
        motion_bytes = motion.payload.size();
        motion_mse = motion.mse;
        if (motion.chosen) payload = std::move(motion.payload);
        reconstruction_ = motion.chosen ? std::move(motion.picture) : latent_picture;
        reconstruction_current_ = true;
      }
      // Scene cut (or motion no P-frame follows): when the chosen P-frame costs near what an
      // I-frame did, try an I-frame and keep the cheaper (by size against a latent P-frame; by
      // rate and distortion against a motion one, which may predict from another scene),
      // restarting the GOP. Against a motion P-frame the distortion counts once for each frame
      // left in the GOP: whichever picture is kept starts their predictions, and a chain of
      // motion P-frames keeps its error (counted once, a motion P-frame predicting from a title
      // card won on cost and its GOP stayed 1.8 dB lower, docs/inter-frames.md).
      if (double(payload.size()) > kSceneCutShare * double(last_intra_bytes_)) {
        Reference intra_next;
        std::vector<uint8_t> intra = encode_intra_payload(model_, analysed, &intra_next);
        const int q = coding_point(gop_quality_).model_quality;
        const double frames_served = std::max(1, options_.gop - frames_since_intra_);
        const bool intra_wins =
            motion_frame ? rd_cost(q, intra.size(),
                                   weighted_mse(input_, model::synthesise_q10(model_, intra_next.y_hat_q10, input_.width,
                                                                              input_.height, intra_next.quality)),
                                   frames_served) < rd_cost(q, motion_bytes, motion_mse, frames_served)
                         : intra.size() <= payload.size();
        if (intra_wins) {
          payload = std::move(intra);
          next = std::move(intra_next);
          out.type = FrameType::kIntra;
          motion_frame = false;
          reconstruction_current_ = false;
          if (rate_control_) {  // a new scene: new quality
            start_rate_controlled_gop(ungained, &payload, &next);
            refined = true;
          }
        }
      }
      // A motion P-frame leaves the latent reference as it was (coding/motion_payload.h).
      if (motion_allowed && out.type == FrameType::kInter && !motion_frame) reference_ = std::move(latent_copy);
    }
  }
  if (out.type == FrameType::kIntra) reference_ = std::move(next);
  // Scene cuts compare the latents' cost only: a refinement costs an I- and a P-frame alike.
  const size_t latent_bytes = payload.size();
  const CodingPoint point = coding_point(gop_quality_);
  if (!refined && point.refined() && !motion_frame) {
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
    rate_control_->add_spent(out.type, int64_t(payload.size() + bitstream::kPacketHeaderSize + index_bytes) * 8,
                             point.refined());
  }
  ++frames_;
  if (options_.motion) {  // what the next motion P-frame predicts from: the decoder's picture
    last_output_ = last_reconstruction();
    has_output_ = true;
    if (!motion_frame) last_field_ = MotionField{};
  }
  return out;
}

void FrameEncoder::start_rate_controlled_gop(const model::UngainedAnalysis& ungained, std::vector<uint8_t>* payload,
                                             Reference* next) {
  rate_control_->start_gop(frames_);
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
      [&](int q) {
        return rate_control_->intra_budget(frames_, coding_point(q).refined()) - 8.0 * bitstream::kPacketHeaderSize;
      },
      payload);
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

double FrameEncoder::rd_cost(int model_quality, size_t bytes, double mse, double distortion_weight) const {
  // J = bits + lambda * 255^2 * MSE * pixels: the training loss times the pixel count.
  const double lambda = lambda_at(model_.config().lambdas, model_.level(model_quality));
  return 8.0 * double(bytes) + distortion_weight * lambda * mse * double(input_.width) * input_.height;
}

FrameEncoder::MotionChoice FrameEncoder::try_motion(int model_quality, const std::vector<uint8_t>& latent_payload,
                                                    const Frame& latent_picture) {
  const double lambda = lambda_at(model_.config().lambdas, model_.level(model_quality));
  MotionSearchOptions search;
  // SAD per bit: the square root of SSE per bit (1/lambda), times 2, the best of 0.5-8 on the
  // training clips Megamind and motion.mov (docs/inter-frames.md).
  search.lambda = 2.0 / std::sqrt(lambda);
  const MotionField field =
      estimate_motion(input_, last_output_, search, last_field_.vectors.empty() ? nullptr : &last_field_);
  Frame prediction;
  predict_picture(last_output_, field, &prediction);

  const double latent_mse = weighted_mse(input_, latent_picture), prediction_mse = weighted_mse(input_, prediction);
  MotionChoice best;
  best.cost = rd_cost(model_quality, latent_payload.size(), latent_mse);
  // A motion P-frame predicts from its own errors, a latent one cannot drift: a motion picture
  // may be at most kMotionMaxMseRatio further from the input than the latent one.
  const double max_mse = kMotionMaxMseRatio * latent_mse;
  std::vector<uint8_t> skip = encode_motion_payload(model_quality, field, MotionResidual::kNone);
  const double skip_cost = rd_cost(model_quality, skip.size(), prediction_mse);
  if (skip_cost < best.cost && prediction_mse <= max_mse)
    best = {true, std::move(skip), prediction, skip_cost, prediction_mse};
  // The transform residual: blocks where the prediction misses, at the frame's slope. Under the
  // same drift cap (without it: the same BD-rate on the training clips, docs/inter-frames.md).
  {
    const SampleLambdas lambdas = sample_lambdas(lambda);
    TransformResidual coded = encode_transform_residual(input_, prediction, transform_qp(lambdas), lambdas);
    std::vector<uint8_t> with_transform =
        encode_motion_payload(model_quality, field, MotionResidual::kTransform, coded.bytes);
    const double mse = weighted_mse(input_, coded.picture);
    const double c = rd_cost(model_quality, with_transform.size(), mse);
    if (c < best.cost && mse <= max_mse) best = {true, std::move(with_transform), std::move(coded.picture), c, mse};
  }
  // The residual costs an analysis and a synthesis more; it is tried only where the prediction
  // alone is further from the input than the latent P-frame's picture (elsewhere it did not pay
  // on our clips, docs/inter-frames.md). Trying it only where the prediction also lost on cost
  // was faster but let skipped frames drift (a panning test lost 3 dB in 5 frames).
  if (prediction_mse > latent_mse) {
    Reference coded;
    const std::vector<uint8_t> residual = encode_intra_payload(
        model_, model::analyse_transform(model_, motion_residual(input_, prediction), model_quality), &coded);
    Frame picture;
    add_motion_residual(prediction,
                        model::synthesise_q10(model_, coded.y_hat_q10, input_.width, input_.height, coded.quality),
                        &picture);
    std::vector<uint8_t> with_residual = encode_motion_payload(model_quality, field, MotionResidual::kIntra, residual);
    const double mse = weighted_mse(input_, picture);
    const double c = rd_cost(model_quality, with_residual.size(), mse);
    if (c < best.cost && mse <= max_mse) best = {true, std::move(with_residual), std::move(picture), c, mse};
  }
  if (best.chosen) last_field_ = field;
  return best;
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
