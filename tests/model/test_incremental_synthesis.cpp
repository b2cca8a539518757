// Incremental synthesis: re-running g_s only around changed latents must give exactly the
// pixels of a whole-frame pass, wherever the changes fall (tile edges, frame edges, corners).
#include <ATen/Parallel.h>
#include <torch/utils.h>

#include "model/incremental_synthesis.h"
#include "model/intra.h"
#include "support/test_support.h"

// LibTorch pulls in glog, whose CHECK would silently replace Catch's: include Catch last.
#undef CHECK
#include <catch2/catch.hpp>

using namespace vaec;
using namespace vaec::model;

namespace {

IntraModel random_model() {
  torch::manual_seed(7);
  VaeConfig c;
  c.N = 16;
  c.M = 24;
  c.Nz = 8;
  c.lambdas = {0.001, 0.01, 0.1};
  return IntraModel::from_network(Vae(c));
}

std::vector<int64_t> frame_latents(IntraModel& m, const Frame& f, int quality) {
  const IntraLatents lat = analyse(m, f, quality);
  return latents_q10(lat.y, lat.params);
}

// Adds `delta` (in latent units) to channel `c` of latent position (y, x).
void nudge(std::vector<int64_t>* y_hat, const LatentShape& s, int c, int y, int x, int64_t delta) {
  (*y_hat)[(size_t(c) * s.height + y) * s.width + x] += delta * 1024;
}

// Samples that differ between two pictures (-1 when their sizes differ): 0 is the goal, and
// the count says how far off a failure is.
int64_t differing_samples(const Frame& a, const Frame& b) {
  if (!a.same_size(b)) return -1;
  int64_t n = 0;
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < a.planes[p].size(); ++i) n += a.planes[p][i] != b.planes[p][i];
  return n;
}

}  // namespace

TEST_CASE("incremental synthesis equals whole-frame synthesis wherever latents change", "[model]") {
  IntraModel m = random_model();
  at::set_num_threads(2);
  // 600x410 luma: 40x28 latents (padded), tiles of 8 leave a partial last row and column,
  // and the frame is cropped from its padding.
  const int w = 600, h = 410, q = 60;
  const LatentShape s = y_shape(m, w, h);
  std::vector<int64_t> y_hat = frame_latents(m, test::make_frame(w, h, 3), q);
  IncrementalSynthesis inc;
  REQUIRE(differing_samples(inc.run(m.decoding(), y_hat, w, h, q, 2), synthesise_q10(m, y_hat, w, h, q)) == 0);
  const int64_t tiles_per_picture = inc.stats().tiles;
  REQUIRE(inc.stats().tiles_synthesised == tiles_per_picture);  // nothing to reuse yet

  SECTION("no change reuses every tile") {
    const Frame again = inc.run(m.decoding(), y_hat, w, h, q, 2);
    CHECK(differing_samples(again, synthesise_q10(m, y_hat, w, h, q)) == 0);
    CHECK(inc.stats().tiles_synthesised == tiles_per_picture);
  }

  const int T = IncrementalSynthesis::kTile;
  // Positions at tile boundaries (both sides), at the frame's edges and corners, and inside.
  const std::vector<std::pair<int, int>> positions = {
      {0, 0}, {T - 1, T}, {T, T - 1}, {2 * T + 3, 3 * T - 1}, {s.height - 1, s.width - 1},
      {s.height - 1, 0}, {0, s.width - 1}, {s.height / 2, s.width / 2}, {3 * T, 2 * T - 2}};
  for (size_t i = 0; i < positions.size(); ++i) {
    DYNAMIC_SECTION("a change at latent " << positions[i].first << "," << positions[i].second) {
      nudge(&y_hat, s, int(i) % s.channels, positions[i].first, positions[i].second, 5);
      const Frame got = inc.run(m.decoding(), y_hat, w, h, q, 2);
      CHECK(differing_samples(got, synthesise_q10(m, y_hat, w, h, q)) == 0);
      // Only the tiles around the change were synthesised.
      const int64_t redone = inc.stats().tiles_synthesised - tiles_per_picture;
      CHECK(redone >= 1);
      CHECK(redone <= 4);
    }
  }

  SECTION("a sequence of scattered changes stays equal to the whole-frame pass") {
    for (int step = 0; step < 4; ++step) {
      nudge(&y_hat, s, step, (7 * step + 2) % s.height, (13 * step + 5) % s.width, step % 2 ? -3 : 4);
      nudge(&y_hat, s, 2 * step + 1, (11 * step + 9) % s.height, (5 * step + 30) % s.width, 2);
      CHECK(differing_samples(inc.run(m.decoding(), y_hat, w, h, q, 2), synthesise_q10(m, y_hat, w, h, q)) == 0);
    }
    CHECK(inc.stats().tiles_synthesised < inc.stats().tiles);
  }

  SECTION("another quality or frame size is synthesised whole") {
    CHECK(differing_samples(inc.run(m.decoding(), y_hat, w, h, q + 10, 2), synthesise_q10(m, y_hat, w, h, q + 10)) == 0);
    CHECK(inc.stats().tiles_synthesised == 2 * tiles_per_picture);
    const std::vector<int64_t> small = frame_latents(m, test::make_frame(100, 70, 1), q);
    CHECK(differing_samples(inc.run(m.decoding(), small, 100, 70, q, 2), synthesise_q10(m, small, 100, 70, q)) == 0);
  }

  SECTION("latents of the wrong size are refused") {
    std::vector<int64_t> short_y(y_hat.begin(), y_hat.end() - 1);
    CHECK_THROWS_AS(inc.run(m.decoding(), short_y, w, h, q, 2), std::invalid_argument);
  }
}
