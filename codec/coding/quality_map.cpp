#include "coding/quality_map.h"

#include <algorithm>
#include <cmath>

#include "coding/refinement.h"

namespace vaec::coding {
namespace {
constexpr int kLastUnrefined = 50;         // qualities up to this use the model alone
constexpr double kCoarsestStepQ4 = 1024;   // 64 pixels, just above quality 50
constexpr double kFinestStepQ4 = 80;       // 5 pixels at quality 100
}  // namespace

CodingPoint coding_point(int quality) {
  quality = std::clamp(quality, 1, 100);
  if (quality <= kLastUnrefined) return {quality, 0};
  const double t = double(quality - kLastUnrefined) / (100 - kLastUnrefined);  // (0, 1]
  CodingPoint p;
  p.model_quality = quality;
  p.refinement_step_q4 = int(std::lround(kCoarsestStepQ4 * std::pow(kFinestStepQ4 / kCoarsestStepQ4, t)));
  p.refinement_step_q4 = std::clamp(p.refinement_step_q4, kMinRefinementStepQ4, kMaxRefinementStepQ4);
  return p;
}

}  // namespace vaec::coding
