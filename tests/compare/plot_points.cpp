// Not a test: draws curves read from stdin with the project's plotting (compare/rd_plot.h), for
// figures that are not RD curves (docs/presets.md: BD-rate against encoding time).
//   plot_points OUT.svg TITLE X_LABEL Y_LABEL [--log-x] < lines of "SERIES X Y"
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "compare/rd_plot.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s OUT.svg TITLE X_LABEL Y_LABEL [--log-x] < \"SERIES X Y\" lines\n", argv[0]);
    return 2;
  }
  vaec::compare::PlotAxes axes;
  axes.x_label = argv[3];
  axes.y_label = argv[4];
  axes.log_x = argc > 5 && std::string(argv[5]) == "--log-x";
  std::map<std::string, vaec::compare::RdCurve> curves;
  std::vector<std::string> order;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::string name;
    double x = 0, y = 0;
    if (!(in >> name >> x >> y)) continue;
    if (!curves.count(name)) order.push_back(name), curves[name].name = name;
    curves[name].points.push_back({x, y});
  }
  std::vector<vaec::compare::RdCurve> list;
  for (const auto& n : order) list.push_back(curves[n]);
  std::ofstream(argv[1]) << vaec::compare::rd_plot_svg(list, argv[2], axes);
  return 0;
}
