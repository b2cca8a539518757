// Writes YUV 4:2:0 frames as .y4m, .yuv (raw planes), .mp4 (H.264 via libx264) or .mkv (FFV1, lossless).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/frame.h"

namespace vaec::io {

struct VideoWriterOptions {
  int x264_crf = 12;  // visually lossless by default for .mp4
  std::string x264_preset = "medium";
  // For codec comparisons: another libavcodec encoder (e.g. "libx265") with its private
  // options, a fixed intra period and no frame reordering. Empty: the extension's default.
  std::string encoder;
  std::vector<std::pair<std::string, std::string>> encoder_options;
  int gop = 0;               // intra period in frames; 0 leaves the encoder's default
  bool low_delay = false;    // no B-frames
  int threads = 0;           // encoder threads; 0 lets FFmpeg choose
};

class VideoWriter {
 public:
  // The container and codec follow the extension of `path` ("-" writes y4m to stdout).
  // Output goes to a temporary file renamed over `path` by finish(); a writer destroyed
  // without finish() removes it, so an error never leaves a half-written file.
  // Throws IoError for an unknown extension or an unwritable path.
  static std::unique_ptr<VideoWriter> create(const std::string& path, int width, int height,
                                             Rational frame_rate,
                                             const VideoWriterOptions& options = {});
  virtual ~VideoWriter() = default;

  virtual void write(const Frame& frame) = 0;
  virtual void finish() = 0;
};

// True when `path`'s extension is one create() accepts.
bool is_supported_output(const std::string& path);

}  // namespace vaec::io
