#include "model/incremental_synthesis.h"

#include <algorithm>
#include <stdexcept>


namespace vaec::model {

namespace {

using Rect = IncrementalSynthesis::Rect;

// Tiles whose kHalo-neighbourhood holds a latent position that changed, as rectangles: a run
// of such tiles in a tile row, stacked with the same run of the rows above (fewer halos).
std::vector<Rect> changed_rects(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                                const LatentShape& s) {
  constexpr int T = IncrementalSynthesis::kTile, H = IncrementalSynthesis::kHalo;
  const size_t plane = size_t(s.height) * s.width;
  std::vector<uint8_t> changed(plane, 0);
  for (int c = 0; c < s.channels; ++c) {
    const int64_t* pa = a.data() + c * plane;
    const int64_t* pb = b.data() + c * plane;
    for (size_t i = 0; i < plane; ++i) changed[i] |= uint8_t(pa[i] != pb[i]);
  }
  const int tile_rows = (s.height + T - 1) / T, tile_cols = (s.width + T - 1) / T;
  std::vector<uint8_t> dirty(size_t(tile_rows) * tile_cols, 0);
  for (int y = 0; y < s.height; ++y)
    for (int x = 0; x < s.width; ++x) {
      if (!changed[size_t(y) * s.width + x]) continue;
      // Every tile within the halo of a changed latent must be redone.
      for (int ty = std::max(0, y - H) / T; ty <= std::min(s.height - 1, y + H) / T; ++ty)
        for (int tx = std::max(0, x - H) / T; tx <= std::min(s.width - 1, x + H) / T; ++tx)
          dirty[size_t(ty) * tile_cols + tx] = 1;
    }
  std::vector<Rect> rects;
  for (int ty = 0; ty < tile_rows; ++ty)
    for (int tx = 0; tx < tile_cols;) {
      if (!dirty[size_t(ty) * tile_cols + tx]) {
        ++tx;
        continue;
      }
      const int start = tx;
      while (tx < tile_cols && dirty[size_t(ty) * tile_cols + tx]) ++tx;
      const Rect run{ty * T, std::min(s.height, (ty + 1) * T), start * T, std::min(s.width, tx * T)};
      auto above = std::find_if(rects.begin(), rects.end(), [&](const Rect& r) {
        return r.row1 == run.row0 && r.col0 == run.col0 && r.col1 == run.col1;
      });
      if (above != rects.end())
        above->row1 = run.row1;
      else
        rects.push_back(run);
    }
  return rects;
}

Rect extended(const Rect& r, const LatentShape& s) {
  constexpr int H = IncrementalSynthesis::kHalo;
  return {std::max(0, r.row0 - H), std::min(s.height, r.row1 + H), std::max(0, r.col0 - H),
          std::min(s.width, r.col1 + H)};
}

int64_t area(const Rect& r) { return int64_t(r.row1 - r.row0) * (r.col1 - r.col0); }

}  // namespace

Frame IncrementalSynthesis::run(const DecodingModel& m, const std::vector<int64_t>& y_hat_q10, int width,
                                int height, int quality, int threads,
                                std::shared_ptr<const IntegerSynthesis> synthesis) {
  const LatentShape s = y_shape(m, width, height);
  if (y_hat_q10.size() != s.size()) throw std::invalid_argument("synthesise: latents do not match the frame size");
  constexpr int T = kTile;
  const int64_t tiles = int64_t((s.height + T - 1) / T) * ((s.width + T - 1) / T);
  stats_.tiles += tiles;

  const bool comparable = previous_y_.size() == y_hat_q10.size() && previous_quality_ == quality &&
                          previous_.width == width && previous_.height == height && previous_synthesis_ == synthesis;
  std::vector<Rect> rects;
  int64_t cost = 0;  // latent positions g_s would run on, halos included
  if (comparable) {
    rects = changed_rects(previous_y_, y_hat_q10, s);
    for (const Rect& r : rects) cost += area(extended(r, s));
  }
  // Past this share of the frame (halos included) one whole-frame pass is as quick.
  if (!comparable || cost * 10 > int64_t(s.height) * s.width * 9) {
    previous_ = synthesise_q10(m, y_hat_q10, width, height, quality, threads, synthesis.get());
    stats_.tiles_synthesised += tiles;
  } else if (!rects.empty()) {
    try {
      synthesise_rects(synthesis ? *synthesis : m.integer_synthesis(), m.cpu_level(), y_hat_q10, s, quality, threads,
                       rects);
    } catch (...) {
      reset();  // the picture may be half updated: the next call starts afresh
      throw;
    }
  }
  previous_y_ = y_hat_q10;
  previous_quality_ = quality;
  previous_synthesis_ = std::move(synthesis);
  return previous_;
}

void IncrementalSynthesis::synthesise_rects(const IntegerSynthesis& synthesis, CpuLevel cpu,
                                            const std::vector<int64_t>& y_hat_q10, const LatentShape& s,
                                            int quality, int threads, const std::vector<Rect>& rects) {
  constexpr int T = kTile;
  for (const Rect& r : rects) {
    const Rect e = extended(r, s);
    synthesis.run(y_hat_q10.data(), s.height, s.width, {e.row0, e.row1, e.col0, e.col1},
                  {r.row0, r.row1, r.col0, r.col1}, quality, cpu, threads, &previous_);
    stats_.tiles_synthesised += int64_t((r.row1 - r.row0 + T - 1) / T) * ((r.col1 - r.col0 + T - 1) / T);
  }
}

}  // namespace vaec::model
