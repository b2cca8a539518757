#include "coding/enc_frame.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include <ATen/Parallel.h>

#include "bitstream/container.h"
#include "coding/dec_intra.h"
#include "coding/dec_refinement.h"
#include "coding/enc_inter.h"
#include "coding/enc_motion.h"
#include "coding/enc_intra.h"
#include "coding/enc_refinement.h"
#include "coding/enc_synthesis_update.h"
#include "coding/intra_payload.h"
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

// Each 8x8 block of each plane replaced by its mean (the scene-cut test's stand-in for an intra
// prediction).
Frame block_means(const Frame& f) {
  Frame out;
  out.allocate(f.width, f.height);
  for (int p = 0; p < 3; ++p) {
    const int w = f.plane_width(p), h = f.plane_height(p);
    for (int by = 0; by < h; by += 8)
      for (int bx = 0; bx < w; bx += 8) {
        const int bw = std::min(8, w - bx), bh = std::min(8, h - by);
        int sum = 0;
        for (int y = by; y < by + bh; ++y)
          for (int x = bx; x < bx + bw; ++x) sum += f.planes[p][size_t(y) * w + x];
        const uint8_t mean = uint8_t((sum + bw * bh / 2) / (bw * bh));
        for (int y = by; y < by + bh; ++y) std::fill_n(out.planes[p].begin() + std::ptrdiff_t(size_t(y) * w + bx), bw, mean);
      }
  }
  return out;
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
  if (options_.motion_first && options_.motion && has_output_ && !intra_due && !rate_control_ &&
      !coding_point(gop_quality_).refined()) {
    MotionChoice motion = try_motion_alone(coding_point(gop_quality_).model_quality);
    if (motion.chosen) return finish_motion_alone(std::move(motion));
  }
  CodedFrame out;
  std::vector<uint8_t>& payload = out.payload;
  bool motion_frame = false;  // a motion P-frame (coding/motion_payload.h)
  size_t motion_bytes = 0;    // its payload's size
  double motion_mse = 0;      // and its picture's weighted_mse()
  Reference next;           // an I-frame's
  InterResidual residual;   // a P-frame's, applied to reference_ in place
  bool refined = false;      // the refinement is coded already (or the frame has none)
  size_t intra_latent_bytes = 0;  // an I-frame coded with its refinement below: without it
  const model::UngainedAnalysis ungained = model::ungained_analysis(model_, input_);
  if (rate_control_ && intra_due) {
    start_rate_controlled_gop(ungained, &payload, &next);
    refined = true;
  } else {
    const model::AnalysedFrame analysed =
        model::with_gain(model_, ungained, coding_point(gop_quality_).model_quality);
    if (intra_due) {
      payload = encode_intra(analysed, &next);
    } else {
      payload = encode_inter_payload(analysed, reference_, &residual);
      out.type = FrameType::kInter;
      const CodingPoint gop_point = coding_point(gop_quality_);
      // The latent P-frame's reference: on a copy only where a motion P-frame, which keeps the
      // old one, may be chosen instead.
      const bool motion_allowed = options_.motion && has_output_;
      size_t scene_cut_bytes = payload.size();  // the chosen P-frame's, refinement left out
      bool scene_cut = false;                   // known to be one (MotionChoice::scene_cut)
      Reference latent_copy;
      if (motion_allowed) latent_copy = reference_;
      Reference& latent_next = motion_allowed ? latent_copy : reference_;
      Status st = apply_residual(residual, &latent_next);
      if (!st.ok()) throw std::runtime_error(std::string("P-frame: ") + st.message());
      if (motion_allowed) {
        // The latent P-frame's picture, to compare with motion (the synthesis keeps it for reuse).
        Frame latent_picture = synthesis_.run(model_.decoding(), latent_next.y_hat_q10, input_.width,
                                              input_.height, latent_next.quality, at::get_num_threads(),
                                              latent_next.synthesis);
        // Above quality 50 the latent P-frame is compared with its refinement, as it would be sent.
        if (gop_point.refined()) {
          append_refinement(input_, gop_point.refinement_step_q4, true, &latent_next, &latent_picture, &payload);
          refined = true;
        }
        MotionChoice motion = try_motion(gop_point.model_quality, payload, latent_picture);
        motion_frame = motion.chosen;
        scene_cut = motion.scene_cut;
        motion_bytes = motion.payload.size();
        motion_mse = motion.mse;
        if (motion.chosen) payload = std::move(motion.payload), scene_cut_bytes = motion.share_bytes;
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
      if (double(scene_cut_bytes) > kSceneCutShare * double(last_intra_bytes_)) {
        Reference intra_next;
        // Decided on the analysis' latents: optimising every candidate would cost an
        // optimization per P-frame near a cut. The I-frame, if it wins, is optimised below.
        std::vector<uint8_t> intra = encode_intra_payload(model_, analysed, &intra_next);
        const size_t intra_bytes = intra.size();
        const int q = gop_point.model_quality;
        const double frames_served = std::max(1, options_.gop - frames_since_intra_);
        bool intra_wins = scene_cut || intra_bytes <= scene_cut_bytes;
        bool intra_refined = false;
        Frame intra_picture;
        if (motion_frame) {  // compared whole: the I-frame with its refinement, if it has one
          intra_picture = model::synthesise_q10(model_, intra_next.y_hat_q10, input_.width, input_.height,
                                                intra_next.quality, intra_next.synthesis.get());
          if (gop_point.refined()) {
            append_refinement(input_, gop_point.refinement_step_q4, false, &intra_next, &intra_picture, &intra);
            intra_refined = true;
          }
          intra_wins = scene_cut || rd_cost(q, intra.size(), weighted_mse(input_, intra_picture), frames_served) <
                                        rd_cost(q, motion_bytes, motion_mse, frames_served);
        }
        if (intra_wins) {
          if (options_.searches_intra() && !rate_control_) {
            intra = encode_intra(analysed, &intra_next);
            intra_refined = false;  // the refinement, if any, is coded on its picture below
          }
          payload = std::move(intra);
          next = std::move(intra_next);
          out.type = FrameType::kIntra;
          motion_frame = false;
          reconstruction_current_ = intra_refined;
          if (intra_refined) reconstruction_ = std::move(intra_picture), intra_latent_bytes = intra_bytes;
          refined = intra_refined;
          if (rate_control_) {  // a new scene: new quality
            reconstruction_current_ = false;
            intra_latent_bytes = 0;
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
  // Scene cuts compare the latents' cost only: a refinement costs an I- and a P-frame alike, and
  // a synthesis update comes on top of the picture's coding (counted, it hid a cut in
  // Principe_inertie.avi).
  size_t latent_bytes = intra_latent_bytes ? intra_latent_bytes : payload.size();
  if (out.type == FrameType::kIntra && !intra_latent_bytes) latent_bytes -= synthesis_update_size(payload);
  const CodingPoint point = coding_point(gop_quality_);
  if (!refined && point.refined() && !motion_frame) {
    reconstruction_ = synthesis_.run(model_.decoding(), reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality, at::get_num_threads(), reference_.synthesis);
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
                             gop_quality_);
  }
  ++frames_;
  if (options_.motion) {  // what the next motion P-frame predicts from: the decoder's picture
    last_output_ = last_reconstruction();
    if (out.type == FrameType::kIntra) intra_mse_ = weighted_mse(input_, last_output_);
    last_input_ = input_;
    has_output_ = true;
    if (!motion_frame) last_field_ = MotionField{};
  }
  return out;
}

std::vector<uint8_t> FrameEncoder::encode_intra(const model::AnalysedFrame& analysed, Reference* next) {
  std::vector<uint8_t> payload = encode_intra_payload(model_, analysed, next);
  if (options_.latent_optimization.iterations > 0) optimise_intra(analysed, &payload, next);
  if (options_.synthesis_update_weight > 0) add_synthesis_update(analysed.quality, &payload, next);
  return payload;
}

void FrameEncoder::optimise_intra(const model::AnalysedFrame& analysed, std::vector<uint8_t>* payload,
                                  Reference* next) {
  const double lambda = model_.lambda(analysed.quality);
  const model::AnalysedFrame optimised =
      optimise_latents(model_, input_, analysed, lambda, options_.latent_optimization);
  Reference optimised_next;
  std::vector<uint8_t> candidate = encode_intra_payload(model_, optimised, &optimised_next);
  // Judged on what a decoder gets (real bytes, the integer synthesis' picture), not on the
  // optimization's own estimate: `slow` never codes a picture at a higher cost than `medium`.
  auto cost = [&](const std::vector<uint8_t>& bytes, const Reference& ref) {
    const Frame picture = model::synthesise_q10(model_, ref.y_hat_q10, input_.width, input_.height, ref.quality);
    return rd_cost(analysed.quality, bytes.size(), weighted_mse(input_, picture));
  };
  if (cost(candidate, optimised_next) < cost(*payload, *next)) {
    *payload = std::move(candidate);
    *next = std::move(optimised_next);
  }
}

void FrameEncoder::add_synthesis_update(int model_quality, std::vector<uint8_t>* payload, Reference* next) {
  if (model_.float_synthesis()) return;  // the update changes the integer synthesis only
  // All-intra, an update serves its own picture only: half the weight (4 was the best of
  // 1, 2, 4, 8 on six training stills, 8 of 2, 4, 8, 16 on training clips at GOP 32).
  const double weight = options_.synthesis_update_weight / (options_.gop > 1 ? 1 : 2);
  FittedSynthesisUpdate fitted =
      fit_synthesis_update(model_.decoding(), input_, next->y_hat_q10, next->quality,
                           sample_lambdas(model_.lambda(model_quality)), weight, at::get_num_threads());
  if (fitted.bytes.empty()) return;  // none lowers the frame's cost (measured on the decoder's samples)
  insert_synthesis_update(fitted.bytes, payload);
  next->synthesis = std::move(fitted.synthesis);
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
          Frame picture = model::synthesise_q10(model_, ref.y_hat_q10, input_.width, input_.height, ref.quality,
                                                ref.synthesis.get());
          append_refinement(input_, point.refinement_step_q4, false, &ref, &picture, &out);
        }
        return out;
      },
      [&](int q) {
        return rate_control_->intra_budget(frames_, q) - 8.0 * bitstream::kPacketHeaderSize;
      },
      payload);
  if (options_.searches_intra()) {
    // The quality is picked on the analysis' latents (optimising every candidate would cost
    // the bisection's ~7 optimizations); the chosen I-frame is then coded optimised.
    const CodingPoint point = coding_point(gop_quality_);
    Reference ref;
    *payload = encode_intra(model::with_gain(model_, ungained, point.model_quality), &ref);
    if (point.refined()) {
      Frame picture = model::synthesise_q10(model_, ref.y_hat_q10, input_.width, input_.height, ref.quality,
                                            ref.synthesis.get());
      append_refinement(input_, point.refinement_step_q4, false, &ref, &picture, payload);
    }
  }
  RefinementBytes refinement;
  Status st = decode_intra_payload(model_.decoding(), payload->data(), payload->size(), input_.width,
                                   input_.height, at::get_num_threads(), next, &refinement, true);
  if (st.ok() && refinement.present) {  // the picture the decoder will show
    reconstruction_ = synthesis_.run(model_.decoding(), next->y_hat_q10, input_.width, input_.height,
                                     next->quality, at::get_num_threads(), next->synthesis);
    st = decode_refinement(refinement.data, refinement.size, refinement_context(*next, false), &reconstruction_,
                           &next->refinement_offsets);
    reconstruction_current_ = true;
  }
  if (!st.ok()) throw std::runtime_error(std::string("reconstruction: ") + st.message());
}

double FrameEncoder::rd_cost(int model_quality, size_t bytes, double mse, double distortion_weight) const {
  // J = bits + lambda * 255^2 * MSE * pixels: the training loss times the pixel count.
  const double lambda = model_.lambda(model_quality);
  return 8.0 * double(bytes) + distortion_weight * lambda * mse * double(input_.width) * input_.height;
}

FrameEncoder::MotionChoice FrameEncoder::try_motion(int model_quality, const std::vector<uint8_t>& latent_payload,
                                                    const Frame& latent_picture) {
  const double latent_mse = weighted_mse(input_, latent_picture);
  // A motion P-frame predicts from its own errors, a latent one cannot drift: a motion picture
  // may be at most kMotionMaxMseRatio further from the input than the latent one.
  return evaluate_motion(model_quality, rd_cost(model_quality, latent_payload.size(), latent_mse),
                         kMotionMaxMseRatio * latent_mse);
}

FrameEncoder::MotionChoice FrameEncoder::try_motion_alone(int model_quality) {
  const MotionField previous_field = last_field_;
  MotionChoice motion =
      evaluate_motion(model_quality, std::numeric_limits<double>::infinity(), kMotionMaxMseRatio * intra_mse_);
  // A P-frame near an I-frame's size goes the whole way (a scene cut is tried there).
  if (motion.scene_cut || double(motion.share_bytes) > kSceneCutShare * double(last_intra_bytes_)) {
    motion.chosen = false;
    last_field_ = previous_field;
  }
  return motion;
}

CodedFrame FrameEncoder::finish_motion_alone(MotionChoice motion) {
  // As encode() ends for a motion P-frame: the latent reference stays, the picture is the
  // prediction (and residual) the decoder makes.
  CodedFrame out;
  out.type = FrameType::kInter;
  out.payload = std::move(motion.payload);
  reconstruction_ = std::move(motion.picture);
  reconstruction_current_ = true;
  ++frames_since_intra_;
  ++frames_;
  last_output_ = reconstruction_;
  last_input_ = input_;
  return out;
}

FrameEncoder::MotionChoice FrameEncoder::evaluate_motion(int model_quality, double cost_to_beat, double max_mse) {
  const double lambda = model_.lambda(model_quality);
  MotionSearchOptions search;
  // SAD per bit: the square root of SSE per bit (1/lambda), times 2, the best of 0.5-8 on the
  // training clips Megamind and motion.mov (docs/inter-frames.md).
  search.lambda = 2.0 / std::sqrt(lambda);
  const MotionField field =
      estimate_motion(input_, last_output_, search, last_field_.vectors.empty() ? nullptr : &last_field_);
  Frame prediction;
  predict_picture(last_output_, field, &prediction);

  const double prediction_mse = weighted_mse(input_, prediction);
  MotionChoice best;
  best.cost = cost_to_beat;
  std::vector<uint8_t> skip = encode_motion_payload(model_quality, field, MotionResidual::kNone);
  const double skip_cost = rd_cost(model_quality, skip.size(), prediction_mse);
  if (skip_cost < best.cost && prediction_mse <= max_mse)
    best = {true, skip, prediction, skip_cost, prediction_mse, false, skip.size()};  // (a copy: a few bytes)
  // The transform residual: blocks where the prediction misses, at the frame's slope. Under the
  // same drift cap (without it: the same BD-rate on the training clips, docs/inter-frames.md).
  {
    const SampleLambdas lambdas = sample_lambdas(lambda);
    const int qp = transform_qp(lambdas);
    TransformResidual coded = encode_transform_residual(input_, prediction, qp, lambdas);
    // Scene cut, as x264 detects one: coding the frame against its prediction from the previous
    // *input* (the same vectors; from the decoded picture the previous frame's coding error
    // would count as change) costs over kCutPredictionShare of coding it without one (here:
    // against each 8x8 block's own mean, a stand-in for intra prediction). A transform residual may code a new scene more cheaply than an
    // I-frame at high qualities, but a cut should still start a GOP (random access, and the
    // GOP's later frames predict from a picture of their own scene).
    // (Tried only for residuals near a cut's size: a cheap residual is no cut.)
    if (double(coded.bytes.size()) > kSceneCutShare * kSceneCutShare * double(last_intra_bytes_)) {
      Frame from_input;
      predict_picture(last_input_, field, &from_input);
      const double predicted = double(encode_transform_residual(input_, from_input, qp, lambdas).bytes.size());
      const double unpredicted = double(encode_transform_residual(input_, block_means(input_), qp, lambdas).bytes.size());
      best.scene_cut = predicted > kCutPredictionShare * unpredicted;
    }
    // The levels chosen by rate and distortion (slower presets) replace the dead-zone ones, which
    // the scene-cut thresholds above were set with, where they cost less.
    std::vector<uint8_t> with_transform =
        encode_motion_payload(model_quality, field, MotionResidual::kTransform, coded.bytes);
    const size_t dead_zone_bytes = with_transform.size();
    double mse = weighted_mse(input_, coded.picture);
    double c = rd_cost(model_quality, with_transform.size(), mse);
    if (options_.optimise_residual_levels) {
      TransformResidual optimised = encode_transform_residual(input_, prediction, qp, lambdas, true);
      std::vector<uint8_t> payload = encode_motion_payload(model_quality, field, MotionResidual::kTransform, optimised.bytes);
      const double optimised_mse = weighted_mse(input_, optimised.picture);
      const double optimised_cost = rd_cost(model_quality, payload.size(), optimised_mse);
      if (optimised_cost < c)
        with_transform = std::move(payload), coded = std::move(optimised), mse = optimised_mse, c = optimised_cost;
    }
    if (c < best.cost && mse <= max_mse)
      best = {true, std::move(with_transform), std::move(coded.picture), c, mse, best.scene_cut, dead_zone_bytes};
  }
  // The intra VAE coding the residual picture (flags 1) is not tried: with the transform
  // residual beside it, it changed BD-rate by -2.1 … +0.1 % on our clips and cost 30 % of the
  // encoding time (an analysis and a synthesis more; docs/inter-frames.md). Decoders still
  // read it.
  if (best.chosen) last_field_ = field;
  return best;
}

const Frame& FrameEncoder::last_reconstruction() {
  if (!reconstruction_current_ && reference_.valid()) {
    reconstruction_ = synthesis_.run(model_.decoding(), reference_.y_hat_q10, input_.width, input_.height,
                                     reference_.quality, at::get_num_threads(), reference_.synthesis);
    reconstruction_current_ = true;
  }
  return reconstruction_;
}

}  // namespace vaec::coding
