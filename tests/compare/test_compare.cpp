// Bjøntegaard deltas and the low-delay peer encoders.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "compare/bd_rate.h"
#include "compare/peer_codecs.h"
#include "compare/rd_plot.h"
#include "support/test_support.h"

using namespace vaec;
using compare::RdPoint;

TEST_CASE("polyfit recovers an exact cubic", "[compare]") {
  std::vector<double> x = {30, 33, 36, 39, 42}, y;
  for (double v : x) y.push_back(2 - 0.5 * v + 0.01 * v * v - 0.0001 * v * v * v);
  auto c = compare::polyfit(x, y, 3);
  CHECK(c[0] == Approx(2).margin(1e-6));
  CHECK(c[1] == Approx(-0.5).margin(1e-7));
  CHECK(c[2] == Approx(0.01).margin(1e-8));
  CHECK(c[3] == Approx(-0.0001).margin(1e-9));
}

TEST_CASE("BD-rate of a curve needing 10% fewer bits everywhere is -10%", "[compare]") {
  std::vector<RdPoint> anchor = {{1000, 32.1}, {1800, 34.9}, {3100, 37.2}, {5200, 39.6}, {9000, 42.3}};
  std::vector<RdPoint> better;
  for (auto p : anchor) better.push_back({p.rate * 0.9, p.psnr});
  CHECK(*compare::bd_rate(anchor, better) == Approx(-10.0).margin(1e-6));
  CHECK(*compare::bd_rate(better, anchor) == Approx(100.0 / 0.9 - 100.0).margin(1e-6));
  CHECK(*compare::bd_rate(anchor, anchor) == Approx(0.0).margin(1e-9));
}

TEST_CASE("BD-rate needs four points and overlapping quality", "[compare]") {
  std::vector<RdPoint> a = {{1, 30}, {2, 33}, {4, 36}, {8, 39}};
  std::vector<RdPoint> far = {{1, 50}, {2, 53}, {4, 56}, {8, 59}};
  CHECK_FALSE(compare::bd_rate(a, far).has_value());
  CHECK_FALSE(compare::bd_rate(a, {{1, 30}, {2, 33}, {4, 36}}).has_value());
}

TEST_CASE("low-delay x264 runs give real sizes and rates that fall with CRF", "[compare][ffmpeg]") {
  test::TempDir tmp;
  std::vector<Frame> frames;
  for (int i = 0; i < 8; ++i) frames.push_back(test::make_frame(128, 96, i));
  const auto& x264 = compare::find_peer("x264");
  compare::PeerRun run;
  run.gop = 4;
  run.crf = 20;
  auto fine = compare::run_peer(x264, frames, {25, 1}, run, tmp.path("fine.mkv"));
  run.crf = 40;
  auto coarse = compare::run_peer(x264, frames, {25, 1}, run, tmp.path("coarse.mkv"));
  // The coded stream, not the file: Matroska's framing and x264's version SEI (its options as
  // text, ~0.7 KB) are left out; the packets and parameter sets are counted.
  const int64_t file_bytes = test::file_size(tmp.path("fine.mkv"));
  CHECK(fine.bytes < file_bytes - 600);
  auto es = test::run("ffmpeg -v error -y -i " + tmp.path("fine.mkv") + " -c copy -bsf:v filter_units=remove_types=6 " +
                      tmp.path("fine.h264") + " && stat -c %s " + tmp.path("fine.h264"));
  REQUIRE(es.exit_code == 0);
  // Annex B without SEI: the same NAL units with 4-byte start codes instead of length prefixes.
  CHECK(std::abs(double(fine.bytes) - std::stod(es.output)) < 64);
  CHECK(fine.bytes > coarse.bytes);
  CHECK(fine.psnr_yuv > coarse.psnr_yuv);
  CHECK(fine.kbps == Approx(fine.bytes * 8.0 / (8 / 25.0) / 1000.0));
  auto probe = test::run("ffprobe -v error -select_streams v:0 -show_entries frame=pict_type -of csv=p=0 " + tmp.path("fine.mkv"));
  CHECK(probe.output.find('B') == std::string::npos);  // low delay: no B-frames
  CHECK(probe.output.substr(0, 1) == "I");
  CHECK_THROWS_WITH(compare::find_peer("vp8"), Catch::Contains("x265"));
}

TEST_CASE("matched CRFs span the other curve's PSNR range, each encode once", "[compare]") {
  const auto& x264 = compare::find_peer("x264");
  std::map<int, int> calls;
  auto psnr = [&](int crf) {
    ++calls[crf];
    return 50.0 - 0.5 * crf;  // decreasing in CRF, as real encoders are
  };
  auto crfs = compare::matched_crfs(x264, 35.0, 42.0, 5, psnr);
  REQUIRE(crfs.size() == 5);
  CHECK(crfs.front() == 16);  // the last CRF still reaching 42 dB
  CHECK(crfs.back() == 31);   // one past the last CRF reaching 35 dB: below the range
  CHECK(std::is_sorted(crfs.begin(), crfs.end()));
  // Out of reach: the peer never gets that good, or never that bad.
  auto clamped = compare::matched_crfs(x264, 10.0, 60.0, 4, psnr);
  CHECK(clamped.front() == 0);
  CHECK(clamped.back() == 51);
}

TEST_CASE("the plot draws every point, with its own axes when asked", "[compare]") {
  const std::vector<compare::RdCurve> curves = {{"a", {{100, 30}, {200, 32}, {400, 34}}}, {"b", {{0, -1}, {50, -9.5}}}};
  const std::string rd = compare::rd_plot_svg({curves[0]}, "RD");
  CHECK(rd.find("bitrate (kbit/s, log scale)") != std::string::npos);
  auto count = [](const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count(rd, "<circle") == 3);
  compare::PlotAxes axes;
  axes.x_label = "seconds per frame";
  axes.y_label = "BD-rate (%)";
  axes.log_x = false;
  const std::string linear = compare::rd_plot_svg(curves, "gain", axes);
  CHECK(count(linear, "<circle") == 5);  // x = 0 is drawn on a linear axis
  CHECK(linear.find("seconds per frame") != std::string::npos);
  CHECK(linear.find("BD-rate (%)") != std::string::npos);
  CHECK(linear.find("nan") == std::string::npos);
}
