// PSNR and MS-SSIM against known values and against FFmpeg's psnr filter.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "io/video_reader.h"
#include "metrics/ms_ssim.h"
#include "metrics/psnr.h"
#include "metrics/sequence_metrics.h"
#include "support/test_support.h"

using namespace vaec;

TEST_CASE("PSNR of a constant error matches the closed form", "[metrics]") {
  Frame a = test::make_frame(40, 30, 0), b = a;
  for (auto& s : b.planes[0]) s = uint8_t(s >= 128 ? s - 4 : s + 4);  // |error| = 4 on Y
  for (auto& s : b.planes[1]) s = uint8_t(s >= 128 ? s - 2 : s + 2);  // 2 on U, V untouched
  auto p = metrics::frame_psnr(a, b);
  CHECK(p.y == Approx(10 * std::log10(255.0 * 255.0 / 16.0)).epsilon(1e-12));
  CHECK(p.u == Approx(10 * std::log10(255.0 * 255.0 / 4.0)).epsilon(1e-12));
  CHECK(p.v == metrics::kMaxPsnr);
  CHECK(p.yuv() == Approx((6 * p.y + p.u + p.v) / 8));
}

TEST_CASE("the weighted MSE of PSNR-YUV averages the planes' MSEs 6:1:1", "[metrics]") {
  Frame a = test::make_frame(40, 30, 0), b = a;
  for (auto& s : b.planes[0]) s = uint8_t(s >= 128 ? s - 4 : s + 4);  // MSE 16 on Y
  for (auto& s : b.planes[1]) s = uint8_t(s >= 128 ? s - 2 : s + 2);  // 4 on U, V untouched
  CHECK(metrics::weighted_mse_yuv(a, b) == Approx((6 * 16.0 + 4.0) / 8).epsilon(1e-12));
  CHECK(metrics::weighted_mse_yuv(a, a) == 0.0);
}

TEST_CASE("MS-SSIM is 1 for identical planes and falls as noise grows", "[metrics]") {
  Frame ref = test::make_frame(256, 192, 3);
  CHECK(metrics::ms_ssim(ref.planes[0].data(), ref.planes[0].data(), 256, 192) == Approx(1.0));
  double previous = 1.0;
  for (int amplitude : {2, 8, 32}) {
    Frame noisy = test::add_noise(ref, amplitude, 99);
    double v = metrics::ms_ssim(ref.planes[0].data(), noisy.planes[0].data(), 256, 192);
    CHECK(v < previous);
    CHECK(v > 0.0);
    previous = v;
  }
  // Small planes use fewer scales but still measure.
  Frame small = test::make_frame(24, 24, 1), small_noisy = test::add_noise(small, 20, 5);
  CHECK(metrics::ms_ssim(small.planes[0].data(), small_noisy.planes[0].data(), 24, 24) < 1.0);
}

TEST_CASE("sequence means are means of the per-frame values", "[metrics]") {
  metrics::SequenceQuality q;
  q.frames.push_back({{30, 40, 50}, 0.9});
  q.frames.push_back({{40, 40, 40}, 0.7});
  CHECK(q.mean_psnr().y == Approx(35));
  CHECK(q.mean_psnr_yuv() == Approx(((6 * 30 + 90) / 8.0 + 40) / 2));
  CHECK(q.mean_ms_ssim_y() == Approx(0.8));
}

namespace {
// Parses FFmpeg's psnr stats_file lines ("n:1 ... psnr_y:38.52 psnr_u:... psnr_v:...").
std::vector<std::map<std::string, double>> read_ffmpeg_stats(const std::string& path) {
  std::vector<std::map<std::string, double>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::map<std::string, double> row;
    std::istringstream fields(line);
    std::string field;
    while (fields >> field) {
      auto colon = field.find(':');
      if (colon == std::string::npos) continue;
      std::string value = field.substr(colon + 1);
      row[field.substr(0, colon)] = value == "inf" ? metrics::kMaxPsnr : std::stod(value);
    }
    rows.push_back(row);
  }
  return rows;
}
}  // namespace

TEST_CASE("per-frame PSNR agrees with FFmpeg's psnr filter on the sample", "[metrics][ffmpeg]") {
  test::TempDir tmp;
  std::string distorted = tmp.path("distorted.mp4"), stats = tmp.path("psnr.log");
  auto r = test::run("ffmpeg -v error -i " + test::sample_path() +
                     " -c:v libx264 -crf 35 -preset veryfast " + distorted);
  REQUIRE(r.exit_code == 0);
  r = test::run("ffmpeg -v error -i " + distorted + " -i " + test::sample_path() +
                " -lavfi \"[0:v][1:v]psnr=stats_file=" + stats + "\" -f null -");
  REQUIRE(r.exit_code == 0);
  auto expected = read_ffmpeg_stats(stats);

  auto ref = io::VideoReader::open(test::sample_path());
  auto dist = io::VideoReader::open(distorted);
  Frame a, b;
  size_t n = 0;
  while (ref->read(a) && dist->read(b)) {
    REQUIRE(n < expected.size());
    auto p = metrics::frame_psnr(a, b);
    // FFmpeg prints two decimals, so agreement within 0.01 dB is exact up to its rounding.
    CHECK(p.y == Approx(expected[n]["psnr_y"]).margin(0.01));
    CHECK(p.u == Approx(expected[n]["psnr_u"]).margin(0.01));
    CHECK(p.v == Approx(expected[n]["psnr_v"]).margin(0.01));
    ++n;
  }
  CHECK(n == expected.size());
  CHECK(n == 77);
}
