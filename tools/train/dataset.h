// Training media: every image and video under a folder, decoded once to YUV 4:2:0 and kept in
// memory (with 2x/4x downscaled copies of large stills for scale variety), sampled as random
// crops with flips. Pairs of frames (consecutive video frames, or a still with synthetic
// motion) are available for P-frame training (issue 6).
#pragma once

#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/frame.h"

namespace vaec::train {

struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DatasetOptions {
  int min_side = 128;           // frames smaller than this (either side) are skipped
  int max_video_frames = 48;    // frames kept per video (evenly spread, in consecutive pairs)
  bool downscaled_copies = true;
  int threads = 2;              // decoding threads
  size_t max_files = 0;         // 0: no limit (tests use a few)
};

// Where a crop comes from, drawn apart from cutting it so that a multi-process run can draw a
// whole step's choices from the shared random stream and cut only its own slice.
struct CropChoice {
  size_t item = 0;       // the frame (for a video pair: the first of the two)
  int x = 0, y = 0;      // even, luma pixels
  int width = 0, height = 0;
  bool mirror = false;
};

struct Item {
  Frame frame;
  int sequence = -1;     // video index, -1 for a still
  int next = -1;         // index of the following kept frame of the same video, or -1
  double weight = 1.0;   // sampling weight
  std::string source;    // file it came from
};

class Dataset {
 public:
  // Loads every usable file under `dir` (recursively, in sorted order). Throws DataError when
  // the folder is missing or holds no usable media. `log` receives progress lines.
  static Dataset load(const std::string& dir, const DatasetOptions& options,
                      const std::function<void(const std::string&)>& log);

  size_t size() const { return items_.size(); }
  size_t file_count() const { return files_; }
  const Item& item(size_t i) const { return items_[i]; }

  // A random size x size crop (size even) of a weighted-random frame, randomly mirrored:
  // crop(choose_crop(rng, size)), the same draws from `rng`.
  Frame random_crop(std::mt19937_64& rng, int size) const { return crop(choose_crop(rng, size)); }
  CropChoice choose_crop(std::mt19937_64& rng, int size) const;
  Frame crop(const CropChoice& choice) const;

  // A (previous, current) pair of aligned size x size crops: consecutive video frames where
  // available, otherwise a still shifted by up to `max_shift` luma pixels (a synthetic pan).
  std::pair<Frame, Frame> random_pair(std::mt19937_64& rng, int size, int max_shift) const;
  // A pair of consecutive video frames only (every such pair equally likely). Throws DataError
  // when there is none.
  std::pair<Frame, Frame> random_video_pair(std::mt19937_64& rng, int size) const {
    return video_pair(choose_video_pair(rng, size));
  }
  CropChoice choose_video_pair(std::mt19937_64& rng, int size) const;
  std::pair<Frame, Frame> video_pair(const CropChoice& choice) const;

 private:
  std::pair<Frame, Frame> pair_from(size_t item, std::mt19937_64& rng, int size, int max_shift) const;

  std::vector<Item> items_;
  std::vector<size_t> video_pairs_;  // items with a following frame
  size_t files_ = 0;
  mutable std::discrete_distribution<size_t> pick_;  // stateless in practice; operator() is non-const
};

// Helpers on 4:2:0 frames (x, y, width, height in luma pixels; x and y even).
Frame crop_frame(const Frame& f, int x, int y, int width, int height);
Frame mirror_frame(const Frame& f);
Frame downscale2x(const Frame& f);  // box filter, odd sizes rounded down to even

}  // namespace vaec::train
