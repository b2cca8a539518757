// The input layout of fuzz_refinement, shared with its seed maker:
//   width-1, height-1 (1..64 each), flags (bit 0: a P-frame with previous offsets; bit 1:
//   some latents moved), then the refinement sub-stream (api/refinement.h).
// The picture, busyness, activity and previous offsets are fixed patterns of the size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coding/dec_refinement.h"
#include "coding/enc_refinement.h"
#include "common/frame.h"

namespace vaec::fuzz {

constexpr size_t kRefinementInputPrefix = 3;

struct RefinementInput {
  Frame picture;
  coding::LatentBusyness busyness;
  std::vector<uint8_t> activity;
  coding::RefinementOffsets previous;
  bool inter = false;

  coding::RefinementContext context() const {
    coding::RefinementContext ctx;
    ctx.busyness = busyness;
    if (inter) {
      ctx.previous = &previous;
      ctx.activity = activity.data();
    }
    return ctx;
  }
};

inline RefinementInput refinement_input(const uint8_t prefix[kRefinementInputPrefix]) {
  RefinementInput in;
  const int w = 1 + prefix[0] % 64, h = 1 + prefix[1] % 64;
  in.inter = prefix[2] & 1;
  in.picture.allocate(w, h);
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < in.picture.planes[p].size(); ++i) in.picture.planes[p][i] = uint8_t((i * 7 + p * 40) % 256);
  in.busyness.height = (h + 63) / 64 * 4;
  in.busyness.width = (w + 63) / 64 * 4;
  const size_t latents = size_t(in.busyness.height) * in.busyness.width;
  for (size_t i = 0; i < latents; ++i) {
    in.busyness.mean_index.push_back(uint8_t(i * 7 % 64));
    in.activity.push_back((prefix[2] & 2) ? uint8_t(i % 3) : 0);
  }
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < in.picture.plane_size(p); ++i) in.previous[size_t(p)].push_back(int16_t(int(i * 13 % 21) - 10));
  return in;
}

}  // namespace vaec::fuzz
