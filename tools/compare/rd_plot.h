// Rate-distortion curves as a self-contained SVG (no plotting dependency).
#pragma once

#include <string>
#include <vector>

#include "compare/bd_rate.h"

namespace vaec::compare {

struct RdCurve {
  std::string name;
  std::vector<RdPoint> points;  // rate in kbps, PSNR-YUV in dB
};

// Renders PSNR-YUV against bitrate (log scale) for every curve.
std::string rd_plot_svg(const std::vector<RdCurve>& curves, const std::string& title);

}  // namespace vaec::compare
