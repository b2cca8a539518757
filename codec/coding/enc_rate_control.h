// Bitrate mode: the quality of each GOP is chosen so the stream's average bitrate approaches
// a target. The first frame of a GOP is coded at the qualities a bisection asks for; the
// quality whose I-frame best fits that GOP's share of the budget codes the whole GOP. The
// I-frame's share assumes each P-frame costs, relative to its I-frame, what P-frames cost in
// earlier GOPs of similar quality: that ratio grows steeply with quality (motion P-frames on
// the sample: 0.1 at quality 48, 0.2 at 58, 0.8 at 87), so each candidate quality of the
// bisection gets its own estimate, a kernel average of the ratios seen at each quality and the
// prior (half). It also moves with content, so
// a GOP whose spending runs far off its budget is cut short: the encoder starts the next GOP
// (an I-frame at a re-picked quality) early.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "coding/frame_type.h"

namespace vaec::coding {

class RateControl {
 public:
  RateControl(double target_kbps, double fps, int gop);

  // Bits each frame of the GOP starting now may spend, correcting what earlier GOPs over- or
  // under-spent (within 1/4..4 times the nominal share, so one odd GOP cannot swing the next).
  double frame_budget(int64_t frames_done) const;
  // Bits the GOP's I-frame may spend so that it and its P-frames fit gop * frame_budget(), for
  // a GOP of this quality.
  double intra_budget(int64_t frames_done, int quality) const;
  // `quality`: the frame's GOP's.
  void add_spent(FrameType type, int64_t bits, int quality);
  // The P-frame / I-frame bits expected at a quality.
  double p_ratio(int quality) const;
  // Call as a GOP starts (before its I-frame's add_spent): fixes the bits it may spend.
  void start_gop(int64_t frames_done) { gop_budget_bits_ = frame_budget(frames_done) * gop_; }
  // True when the GOP in progress, extrapolated from its I-frame and P-frames so far, would
  // spend over kRestartFactor times its budget (or under 1/kRestartFactor of it) and a quality
  // change could help: time for an early I-frame.
  bool gop_off_course(int quality) const;
  static constexpr double kRestartFactor = 1.5;
  static constexpr int kMinPFramesBeforeRestart = 4;
  void add_overhead(int64_t bits) { spent_bits_ += bits; }

 private:
  double bits_per_frame_;
  int gop_;
  int64_t spent_bits_ = 0;
  static constexpr double kPriorRatio = 0.5;
  // The prior weighs as much as an observation this many qualities away.
  static constexpr double kPriorDistance = 10;
  std::map<int, double> seen_ratio_;  // quality -> P-frame / I-frame bits of its last GOP
  int gop_quality_ = 0;               // of the current GOP
  int64_t intra_bits_ = 0, p_bits_ = 0, p_frames_ = 0;  // of the current GOP
  double gop_budget_bits_ = 0;                           // of the current GOP
};

// Bisection over quality 1..100 for the highest quality whose payload (from `encode_at`) is
// at most `budget_at` of it in bits; quality 1 when none is. Returns it and moves its payload
// to `payload`.
int pick_quality(const std::function<std::vector<uint8_t>(int)>& encode_at,
                 const std::function<double(int)>& budget_at, std::vector<uint8_t>* payload);

}  // namespace vaec::coding
