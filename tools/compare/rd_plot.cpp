#include "compare/rd_plot.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace vaec::compare {

namespace {
// A grid step of 1, 2 or 5 times a power of ten giving at most 10 lines over `span`.
double nice_step(double span) {
  const double raw = span / 10, decade = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * decade >= raw) return m * decade;
  return 10 * decade;
}
}  // namespace

std::string rd_plot_svg(const std::vector<RdCurve>& curves, const std::string& title, const PlotAxes& axes) {
  const double width = 720, height = 480, left = 70, right = 150, top = 40, bottom = 60;
  double rmin = 1e300, rmax = 0, pmin = 1e300, pmax = -1e300;
  for (const auto& c : curves)
    for (const auto& p : c.points) {
      if (axes.log_x && p.rate <= 0) continue;
      rmin = std::min(rmin, p.rate);
      rmax = std::max(rmax, p.rate);
      pmin = std::min(pmin, p.psnr);
      pmax = std::max(pmax, p.psnr);
    }
  if (rmin > rmax || (axes.log_x && rmax <= 0)) rmin = 1, rmax = 10, pmin = 30, pmax = 40;
  // x: log10 of the value on a log axis, else the value; the range padded to whole steps.
  auto fx = [&](double v) { return axes.log_x ? std::log10(v) : v; };
  double lrmin = 0, lrmax = 1, xstep = 1;
  if (axes.log_x) {
    lrmin = std::floor(std::log10(rmin) * 4) / 4, lrmax = std::ceil(std::log10(rmax) * 4) / 4;
  } else {
    xstep = nice_step(std::max(rmax - rmin, 1e-9));
    lrmin = std::floor(rmin / xstep) * xstep, lrmax = std::ceil(rmax / xstep) * xstep;
  }
  if (lrmax <= lrmin) lrmax = lrmin + 1;
  const double ystep = nice_step(std::max(pmax - pmin, 2.0));
  pmin = std::floor(pmin / ystep) * ystep - ystep / 2;
  pmax = std::ceil(pmax / ystep) * ystep + ystep / 2;
  auto px = [&](double rate) { return left + (fx(rate) - lrmin) / (lrmax - lrmin) * (width - left - right); };
  auto py = [&](double psnr) { return height - bottom - (psnr - pmin) / (pmax - pmin) * (height - top - bottom); };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
      width, height, (width - right + left) / 2, title);
  // Axes, grid and tick labels.
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n", left,
                     top, width - left - right, height - top - bottom);
  auto x_tick = [&](double value) {
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\">{4:g}</text>\n",
                       px(value), top, height - bottom, height - bottom + 16, value);
  };
  if (axes.log_x) {
    for (int decade = int(std::floor(lrmin)); decade <= int(std::ceil(lrmax)); ++decade)
      for (int m : {1, 2, 5}) {
        const double rate = m * std::pow(10.0, decade);
        if (std::log10(rate) >= lrmin && std::log10(rate) <= lrmax) x_tick(rate);
      }
  } else {
    for (double v = lrmin; v <= lrmax + xstep / 2; v += xstep) x_tick(v);
  }
  for (double p = std::ceil(pmin / ystep) * ystep; p <= pmax; p += ystep) {
    double y = py(p);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>\n"
                       "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                       left, y, width - right, left - 6, y + 4, p);
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (width - right + left) / 2,
                     height - 20, axes.x_label);
  svg += fmt::format("<text x=\"18\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {0})\">{1}</text>\n",
                     (height - bottom + top) / 2, axes.y_label);
  static const char* colours[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  for (size_t i = 0; i < curves.size(); ++i) {
    const char* colour = colours[i % 6];
    auto pts = curves[i].points;
    std::sort(pts.begin(), pts.end(), [](const RdPoint& a, const RdPoint& b) { return a.rate < b.rate; });
    std::string path;
    for (const auto& p : pts) {
      if (axes.log_x && p.rate <= 0) continue;
      path += fmt::format("{:.1f},{:.1f} ", px(p.rate), py(p.psnr));
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", px(p.rate), py(p.psnr), colour);
    }
    svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", path, colour);
    double ly = top + 20 + 20 * double(i);
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/>"
                       "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
                       width - right + 12, ly, width - right + 36, colour, width - right + 42, ly + 4, curves[i].name);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace vaec::compare
