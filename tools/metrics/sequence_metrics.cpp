#include "metrics/sequence_metrics.h"

#include "metrics/ms_ssim.h"

namespace vaec::metrics {

FrameQuality measure_frame(const Frame& reference, const Frame& distorted, bool with_ms_ssim) {
  FrameQuality q;
  q.psnr = frame_psnr(reference, distorted);
  if (with_ms_ssim)
    q.ms_ssim_y = ms_ssim(reference.planes[0].data(), distorted.planes[0].data(), reference.width,
                          reference.height);
  return q;
}

PlanePsnr SequenceQuality::mean_psnr() const {
  PlanePsnr m;
  if (frames.empty()) return m;
  for (const auto& f : frames) {
    m.y += f.psnr.y;
    m.u += f.psnr.u;
    m.v += f.psnr.v;
  }
  double n = double(frames.size());
  return PlanePsnr{m.y / n, m.u / n, m.v / n};
}

double SequenceQuality::mean_psnr_yuv() const {
  if (frames.empty()) return 0;
  double sum = 0;
  for (const auto& f : frames) sum += f.psnr.yuv();
  return sum / double(frames.size());
}

double SequenceQuality::mean_ms_ssim_y() const {
  if (frames.empty()) return 0;
  double sum = 0;
  for (const auto& f : frames) sum += f.ms_ssim_y;
  return sum / double(frames.size());
}

}  // namespace vaec::metrics
