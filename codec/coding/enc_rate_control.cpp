#include "coding/enc_rate_control.h"

#include <algorithm>
#include <cstdlib>

namespace vaec::coding {

RateControl::RateControl(double target_kbps, double fps, int gop)
    : bits_per_frame_(target_kbps * 1000.0 / fps), gop_(gop) {}

double RateControl::frame_budget(int64_t frames_done) const {
  const double allowed = bits_per_frame_ * double(frames_done + gop_) - double(spent_bits_);
  return std::clamp(allowed / gop_, bits_per_frame_ / 4, bits_per_frame_ * 4);
}

double RateControl::p_ratio(int quality) const {
  auto weight = [](double distance) { return 1.0 / ((1 + distance) * (1 + distance)); };
  double sum = weight(kPriorDistance) * kPriorRatio, weights = weight(kPriorDistance);
  for (const auto& [q, ratio] : seen_ratio_) {
    const double w = weight(std::abs(q - quality));
    sum += w * ratio;
    weights += w;
  }
  return sum / weights;
}

double RateControl::intra_budget(int64_t frames_done, int quality) const {
  return frame_budget(frames_done) * gop_ / (1.0 + (gop_ - 1) * p_ratio(quality));
}

bool RateControl::gop_off_course(int quality) const {
  // Too few P-frames to judge by, or too few left for a restart to pay for its I-frame.
  if (p_frames_ < kMinPFramesBeforeRestart || p_frames_ + 1 + kMinPFramesBeforeRestart > gop_) return false;
  const double projected = double(intra_bits_) + double(p_bits_) / double(p_frames_) * (gop_ - 1);
  return (projected > kRestartFactor * gop_budget_bits_ && quality > 1) ||
         (projected * kRestartFactor < gop_budget_bits_ && quality < 100);
}

void RateControl::add_spent(FrameType type, int64_t bits, int quality) {
  spent_bits_ += bits;
  if (type == FrameType::kIntra) {
    if (p_frames_ > 0 && intra_bits_ > 0)
      seen_ratio_[gop_quality_] = std::clamp(double(p_bits_) / double(p_frames_) / double(intra_bits_), 0.02, 1.0);
    gop_quality_ = quality;
    intra_bits_ = bits;
    p_bits_ = p_frames_ = 0;
  } else {
    p_bits_ += bits;
    ++p_frames_;
  }
}

int pick_quality(const std::function<std::vector<uint8_t>(int)>& encode_at,
                 const std::function<double(int)>& budget_at, std::vector<uint8_t>* payload) {
  int lo = 1, hi = 100, best = 0;
  std::vector<uint8_t> best_payload, lowest;
  while (lo <= hi) {
    const int q = (lo + hi) / 2;
    std::vector<uint8_t> p = encode_at(q);
    if (double(p.size()) * 8.0 <= budget_at(q)) {
      best = q;
      best_payload = std::move(p);
      lo = q + 1;
    } else {
      if (q == 1) lowest = std::move(p);
      hi = q - 1;
    }
  }
  if (best == 0) {  // even quality 1 is over budget
    *payload = lowest.empty() ? encode_at(1) : std::move(lowest);
    return 1;
  }
  *payload = std::move(best_payload);
  return best;
}

}  // namespace vaec::coding
