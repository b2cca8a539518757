// Bitrate mode: the quality of each GOP is chosen so the stream's average bitrate approaches
// a target. The first frame of a GOP is coded at the qualities a bisection asks for; the
// quality whose frame best fits that GOP's share of the budget codes the whole GOP.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace vaec::api {

class RateControl {
 public:
  RateControl(double target_kbps, double fps, int gop);

  // Bits each frame of the GOP starting now may spend, correcting what earlier GOPs over- or
  // under-spent (within 1/4..4 times the nominal share, so one odd GOP cannot swing the next).
  double frame_budget(int64_t frames_done) const;
  void add_spent(int64_t bits) { spent_bits_ += bits; }

 private:
  double bits_per_frame_;
  int gop_;
  int64_t spent_bits_ = 0;
};

// Bisection over quality 1..100 for the highest quality whose payload (from `encode_at`) is
// at most `budget_bits`; quality 1 when none is. Returns it and moves its payload to `payload`.
int pick_quality(const std::function<std::vector<uint8_t>(int)>& encode_at, double budget_bits,
                 std::vector<uint8_t>* payload);

}  // namespace vaec::api
