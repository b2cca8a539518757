// The frame encoder: every decision about how a picture is coded (I or P, GOP length, scene
// cuts, the quality of each GOP in bitrate mode, whether a refinement pays) and the payload
// that results. The API layer (api/encoder.h) wraps the payloads into packet records.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "coding/enc_latent_optimization.h"
#include "coding/enc_rate_control.h"
#include "coding/enc_transform_residual.h"
#include "coding/frame_type.h"
#include "coding/motion.h"
#include "coding/reference.h"
#include "common/frame.h"
#include "model/incremental_synthesis.h"
#include "model/intra.h"

namespace vaec::coding {

struct EncoderOptions {
  int quality = 50;       // 1..100; in bitrate mode the start point
  int gop = 32;           // I-frame interval, >= 1
  int bitrate_kbps = 0;   // > 0: choose each GOP's quality to approach this average
  double fps = 25;        // frames per second (bitrate mode)
  // P-frames may be motion P-frames (coding/motion_payload.h) where those cost less at the
  // frame's rate-distortion slope (above quality 50, less than a latent P-frame with its
  // refinement).
  bool motion = true;
  // P-frames try motion first and keep a motion P-frame without analysing the picture when it
  // passes its own tests (the `fast` preset: the analysis g_a is most of a P-frame's time).
  bool motion_first = false;
  // I-frames' latents optimised for their picture (the `slow` preset): off with 0 iterations.
  LatentOptimizationOptions latent_optimization;
  // Transform residual levels chosen by rate and distortion rather than a dead zone.
  bool optimise_residual_levels = false;
  // Each GOP's I-frame may carry a synthesis update fitted to it (coding/enc_synthesis_update.h;
  // needs a 5.0 stream), its distortion counted this many times in the choice (the GOP's later
  // pictures use the update too; half as many all-intra); 0: off.
  double synthesis_update_weight = 0;
  // I-frames cost more than their analysis' coding (the two above): a scene cut's I-frame is
  // coded again with them once it wins.
  bool searches_intra() const { return latent_optimization.iterations > 0 || synthesis_update_weight > 0; }
};

struct CodedFrame {
  FrameType type = FrameType::kIntra;
  std::vector<uint8_t> payload;
};

class FrameEncoder {
 public:
  // `model` must outlive the encoder.
  FrameEncoder(model::IntraModel& model, const EncoderOptions& options);

  // Bitrate mode: bytes the stream spends outside frame payloads (stream header, index,
  // footer), charged to the budget once.
  void add_stream_overhead(int64_t bytes);

  // Codes the next picture (all the same size).
  CodedFrame encode(Frame input);

  // Encoder-side reconstruction of the last frame coded (what the decoder will output).
  // Made on demand: P-frames predict from latents, so coding never needs the pixels.
  const Frame& last_reconstruction();

 private:
  // A P-frame over this share of the last I-frame's size is compared with an I-frame.
  static constexpr double kSceneCutShare = 0.6;
  // A P-frame over kSceneCutShare whose transform residual (predicted from the previous input)
  // costs over this share of the same frame's with no prediction (each block's mean instead)
  // is a scene cut: an I-frame, whatever its cost. Alone, without the size test, this
  // declared cuts in a swaying tree (docs/inter-frames.md).
  static constexpr double kCutPredictionShare = 0.5;
  // A motion P-frame's picture may have at most this times the MSE of the latent P-frame's
  // (≈ 1.1 dB): uncapped, skipped frames drifted on static cameras; chosen among 1.15, 1.3 and
  // no cap on training clips (docs/inter-frames.md).
  static constexpr double kMotionMaxMseRatio = 1.3;
  // An I-frame payload of `analysed` (the current input's); with latent optimization, the
  // optimised latents where they cost less (real bytes and picture) than the analysis' own;
  // with synthesis updates, one where it pays.
  std::vector<uint8_t> encode_intra(const model::AnalysedFrame& analysed, Reference* next);
  // Replaces the payload and reference with those of optimised latents where they cost less.
  void optimise_intra(const model::AnalysedFrame& analysed, std::vector<uint8_t>* payload, Reference* next);
  // With options_.synthesis_update_weight: a synthesis update fitted to the I-frame `next`
  // left, added to its payload (and next->synthesis) where it lowers the frame's cost.
  void add_synthesis_update(int model_quality, std::vector<uint8_t>* payload, Reference* next);
  // Bitrate mode, at each I-frame: picks the GOP's quality (bisection) and codes the I-frame.
  void start_rate_controlled_gop(const model::UngainedAnalysis& ungained, std::vector<uint8_t>* payload,
                                 Reference* next);
  model::IntraModel& model_;
  EncoderOptions options_;
  std::unique_ptr<RateControl> rate_control_;  // bitrate mode only
  int gop_quality_ = 50;
  Frame input_, reconstruction_;
  bool reconstruction_current_ = false;
  model::IncrementalSynthesis synthesis_;  // for last_reconstruction()
  // A motion P-frame for the current input when it codes it cheaper than the latent P-frame
  // `latent` (payload and picture) at the rate-distortion slope of `model_quality`.
  struct MotionChoice {
    bool chosen = false;
    std::vector<uint8_t> payload;
    Frame picture;
    double cost = 0;  // rd_cost() of payload and picture
    double mse = 0;   // the picture's weighted_mse()
    // The prediction saves too little to be one: a scene cut (see try_motion).
    bool scene_cut = false;
    // The payload's size with the dead-zone residual levels, which the scene-cut shares
    // (kSceneCutShare) were set with: optimised levels make cuts look cheaper than they are.
    size_t share_bytes = 0;
  };
  MotionChoice try_motion(int model_quality, const std::vector<uint8_t>& latent_payload, const Frame& latent_picture);
  // The same without a latent P-frame to compare with: chosen when its picture is within
  // kMotionMaxMseRatio of the GOP's I-frame's MSE (the drift cap) and it is no scene cut.
  MotionChoice try_motion_alone(int model_quality);
  // What is left of encode() once a motion P-frame is chosen without an analysis.
  CodedFrame finish_motion_alone(MotionChoice motion);
  MotionChoice evaluate_motion(int model_quality, double cost_to_beat, double max_mse);
  // Rate-distortion cost, in bits, of coding the current input in `bytes` as a picture at
  // weighted MSE `mse` from it (weighted_mse in enc_frame.cpp), the distortion counted
  // `distortion_weight` times.
  double rd_cost(int model_quality, size_t bytes, double mse, double distortion_weight = 1) const;
  // rd_cost's price of squared error per luma and per chroma sample at the model's lambda.
  SampleLambdas sample_lambdas(double lambda) const;
  Frame last_output_;          // the previous frame's decoded picture (what motion predicts from)
  Frame last_input_;           // and its input (what the scene-cut test predicts from)
  bool has_output_ = false;
  MotionField last_field_;     // the previous motion P-frame's vectors (search candidates)
  Reference reference_;  // what the last frame left for the next P-frame
  int frames_since_intra_ = 0;
  size_t last_intra_bytes_ = 0;
  double intra_mse_ = 0;  // the last I-frame's picture's weighted_mse() (motion_first's drift cap)
  int64_t frames_ = 0;
};

}  // namespace vaec::coding
