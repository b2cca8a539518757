// `vaec eval --compare CODECS INPUT`: vaec against x264/x265/SVT-AV1 on one input.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/input_options.h"

namespace vaec::cli {

struct CompareOptions {
  std::string input;
  std::vector<std::string> peers;  // x264, x265, svtav1
  std::vector<int> qualities = {10, 30, 50, 70, 90};
  std::vector<int> crfs;           // empty: each peer's default sweep
  int gop = 32;
  std::string preset;              // empty: medium (x264/x265), 8 (SVT-AV1)
  int64_t max_frames = -1;
  std::string model;               // empty: the bundled model of vaec_preset
  int vaec_preset = 2;             // VAEC_PRESET_MEDIUM
  std::string plot;                // SVG output path
  std::string work_dir;            // keep encoded files here (default: a temporary directory)
  bool json = false;
  RawInputOptions raw;
};

void run_compare(const CompareOptions& options, const GlobalOptions& global);

}  // namespace vaec::cli
