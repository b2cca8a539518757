// Rate-distortion curves as a self-contained SVG (no plotting dependency).
#pragma once

#include <string>
#include <vector>

#include "compare/bd_rate.h"

namespace vaec::compare {

struct RdCurve {
  std::string name;
  std::vector<RdPoint> points;  // rate in kbps, PSNR-YUV in dB (or PlotAxes' quantities)
};

// What the axes show: by default PSNR-YUV against bitrate on a log scale; other curves (e.g.
// BD-rate against encoding time, docs/presets.md) name their own.
struct PlotAxes {
  std::string x_label = "bitrate (kbit/s, log scale)";
  std::string y_label = "PSNR-YUV (dB)";
  bool log_x = true;
};

// Renders y against x for every curve (RdPoint: rate is x, psnr is y).
std::string rd_plot_svg(const std::vector<RdCurve>& curves, const std::string& title, const PlotAxes& axes = {});

}  // namespace vaec::compare
