// Reads any FFmpeg-demuxable video (or still image) as 8-bit YUV 4:2:0 frames.
#pragma once

#include <memory>
#include <string>

#include "common/frame.h"

namespace vaec::io {

struct VideoInfo {
  int width = 0;
  int height = 0;
  Rational frame_rate;            // frames per second, exact
  int64_t frame_count = -1;       // -1 when the container does not say
  std::string source_pixel_format;  // e.g. "yuv420p", "rgb24"
  bool converted = false;         // true when libswscale converts to yuv420p
  bool raw = false;               // read as raw yuv420p planes with RawVideoOptions' geometry
};

// Raw .yuv input carries no header: the caller supplies what it cannot know.
struct RawVideoOptions {
  int width = 0;
  int height = 0;
  Rational frame_rate{25, 1};
};

class VideoReader {
 public:
  // Opens `path` ("-" is stdin). Throws vaec::io::IoError naming the file and the reason.
  static std::unique_ptr<VideoReader> open(const std::string& path,
                                           const RawVideoOptions& raw = {});
  virtual ~VideoReader() = default;

  virtual const VideoInfo& info() const = 0;
  // Decodes the next frame into `frame`; returns false at the end of the stream.
  // Throws IoError on a decoding failure.
  virtual bool read(Frame& frame) = 0;
  // Before the first read(): moves to source frame `frame` (0-based, as read() counts), so that
  // read() returns it next; returns the frames passed, fewer than `frame` when the video ends
  // first. Seeks in the container where that is exact (an indexed container, constant frame
  // rate, timestamps on the frame grid: checked frame by frame), else decodes and drops.
  virtual int64_t skip_to(int64_t frame) = 0;
};

}  // namespace vaec::io
