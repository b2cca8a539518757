#include "cli/eval_compare.h"

#include <cstdio>
#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/progress.h"
#include "compare/bd_rate.h"
#include "compare/peer_codecs.h"
#include "compare/rd_plot.h"
#include "compare/vaec_runner.h"
#include "io/atomic_file.h"
#include "io/ffmpeg_error.h"

#include <filesystem>

namespace vaec::cli {
namespace {
namespace fs = std::filesystem;

struct CodecResult {
  std::string codec;
  std::vector<compare::EncodeMeasurement> points;
  std::optional<double> bd_rate_vs_vaec;  // peer's BD-rate of vaec against this peer
};

std::vector<compare::RdPoint> rd_points(const std::vector<compare::EncodeMeasurement>& ms) {
  std::vector<compare::RdPoint> pts;
  for (const auto& m : ms) pts.push_back({m.kbps, m.psnr_yuv});
  return pts;
}

std::vector<Frame> read_frames(const CompareOptions& o, Rational& rate) {
  auto reader = open_input(o.input, o.raw);
  rate = reader->info().frame_rate;
  if (reader->info().width % 2 || reader->info().height % 2)
    throw CommandError(o.input + ": --compare needs even frame dimensions (the peers' 4:2:0 encoders do)");
  std::vector<Frame> frames;
  Frame f;
  try {
    while ((o.max_frames < 0 || int64_t(frames.size()) < o.max_frames) && reader->read(f)) frames.push_back(f);
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  if (frames.empty()) throw CommandError(o.input + ": no frames to compare");
  return frames;
}

// Owns the folder the encoded files go to: a temporary one unless the user asked to keep them.
struct WorkDir {
  std::string path;
  bool temporary = false;
  explicit WorkDir(const std::string& requested) {
    if (!requested.empty()) {
      path = requested;
      fs::create_directories(path);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "vaec-compare-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw CommandError("cannot create a temporary directory");
    path = buf.data();
    temporary = true;
  }
  ~WorkDir() {
    std::error_code ec;
    if (temporary) fs::remove_all(path, ec);
  }
};

void print_table(const std::vector<CodecResult>& results, const CompareOptions& o, size_t frames) {
  std::printf("%-8s %-10s %12s %10s %8s %9s\n", "codec", "setting", "bytes", "kbit/s", "bpp", "PSNR-YUV");
  for (const auto& r : results)
    for (const auto& m : r.points) {
      std::string setting = m.label.substr(m.label.find(' ') + 1);
      std::printf("%-8s %-10s %12lld %10.1f %8.4f %9.3f\n", r.codec.c_str(), setting.c_str(),
                  (long long)m.bytes, m.kbps, m.bpp, m.psnr_yuv);
    }
  std::printf("(%zu frames of %s, intra period %d, low delay; rates: vaec's .vae file sizes, the peers' coded "
              "streams without container or version SEI; PSNR-YUV = mean of per-frame (6Y+U+V)/8)\n",
              frames, o.input.c_str(), o.gop);
  for (const auto& r : results) {
    if (r.codec == "vaec") continue;
    if (r.bd_rate_vs_vaec)
      std::printf("BD-rate of vaec against %s: %+.2f %% (negative: vaec needs fewer bits)\n", r.codec.c_str(),
                  *r.bd_rate_vs_vaec);
    else
      std::printf("BD-rate of vaec against %s: n/a (PSNR ranges do not overlap)\n", r.codec.c_str());
  }
}

void print_json(const std::vector<CodecResult>& results, const CompareOptions& o, size_t frames) {
  nlohmann::json out = {{"input", o.input}, {"frames", frames}, {"gop", o.gop}, {"codecs", nlohmann::json::array()}};
  for (const auto& r : results) {
    nlohmann::json c = {{"codec", r.codec}, {"points", nlohmann::json::array()}};
    for (const auto& m : r.points)
      c["points"].push_back({{"setting", m.label}, {"bytes", m.bytes}, {"kbps", m.kbps}, {"bpp", m.bpp},
                             {"psnr_yuv", m.psnr_yuv}});
    if (r.codec != "vaec") c["bd_rate_vaec_vs_this"] = r.bd_rate_vs_vaec ? nlohmann::json(*r.bd_rate_vs_vaec) : nlohmann::json();
    out["codecs"].push_back(c);
  }
  std::printf("%s\n", out.dump(2).c_str());
}

}  // namespace

void run_compare(const CompareOptions& o, const GlobalOptions& global) {
  std::vector<const compare::PeerCodec*> peers;
  for (const auto& name : o.peers) {
    try {
      peers.push_back(&compare::find_peer(name));
    } catch (const std::invalid_argument& e) {
      throw CommandError(e.what());
    }
  }
  if (!o.plot.empty()) io::AtomicFile::check_writable(o.plot);

  Rational rate;
  auto frames = read_frames(o, rate);
  WorkDir work(o.work_dir);
  Progress progress("compare (encodes)", -1, global.quiet);
  int64_t done = 0;

  std::vector<CodecResult> results;
  try {
    CodecResult ours{"vaec", {}, std::nullopt};
    for (int q : o.qualities) {
      compare::VaecRun run{q, o.gop, o.model, global.resolved_threads(), o.vaec_preset};
      ours.points.push_back(compare::run_vaec(frames, rate, run, fmt::format("{}/vaec_q{}.vae", work.path, q)));
      progress.update(++done);
    }
    results.push_back(ours);
    double lo = 1e9, hi = -1e9;
    for (const auto& m : ours.points) lo = std::min(lo, m.psnr_yuv), hi = std::max(hi, m.psnr_yuv);
    for (const auto* peer : peers) {
      CodecResult r{peer->name, {}, std::nullopt};
      std::map<int, compare::EncodeMeasurement> runs;  // by CRF: each is encoded once
      auto at = [&](int crf) -> const compare::EncodeMeasurement& {
        auto it = runs.find(crf);
        if (it != runs.end()) return it->second;
        compare::PeerRun run{crf, o.gop, o.preset, global.resolved_threads()};
        auto m = compare::run_peer(*peer, frames, rate, run, fmt::format("{}/{}_crf{}.mkv", work.path, peer->name, crf));
        progress.update(++done);
        return runs.emplace(crf, m).first->second;
      };
      // By default the peer's CRFs are chosen to span our PSNR range, so BD-rate has an overlap.
      std::vector<int> crfs = o.crfs.empty() ? compare::matched_crfs(*peer, lo, hi, int(o.qualities.size()),
                                                                     [&](int crf) { return at(crf).psnr_yuv; })
                                             : o.crfs;
      for (int crf : crfs) r.points.push_back(at(crf));
      r.bd_rate_vs_vaec = compare::bd_rate(rd_points(r.points), rd_points(ours.points));
      results.push_back(r);
    }
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  } catch (const std::runtime_error& e) {
    throw CommandError(e.what());
  }
  progress.finish();

  if (o.json)
    print_json(results, o, frames.size());
  else
    print_table(results, o, frames.size());
  if (!o.plot.empty()) {
    std::vector<compare::RdCurve> curves;
    for (const auto& r : results) curves.push_back({r.codec, rd_points(r.points)});
    io::AtomicFile file(o.plot);
    std::ofstream(file.temp_path()) << compare::rd_plot_svg(curves, "RD: " + fs::path(o.input).filename().string());
    file.commit();
  }
}

}  // namespace vaec::cli
