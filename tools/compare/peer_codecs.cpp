#include "compare/peer_codecs.h"

#include <algorithm>
#include <stdexcept>

#include "io/coded_size.h"
#include "io/video_reader.h"
#include "io/video_writer.h"
#include "metrics/sequence_metrics.h"

namespace vaec::compare {
namespace {

const std::vector<PeerCodec>& peers() {
  // SVT-AV1 has numbered presets; 8 is its usual speed/quality middle ground on few cores.
  static const std::vector<PeerCodec> list = {
      {"x264", "libx264", {18, 23, 28, 33, 38}, "medium", 51},
      {"x265", "libx265", {20, 25, 30, 35, 40}, "medium", 51},
      {"svtav1", "libsvtav1", {25, 33, 41, 49, 57}, "8", 63},
  };
  return list;
}

std::vector<std::pair<std::string, std::string>> encoder_options(const PeerCodec& peer, const PeerRun& run) {
  std::string preset = run.preset.empty() ? peer.default_preset : run.preset;
  std::string gop = std::to_string(run.gop);
  std::vector<std::pair<std::string, std::string>> o = {{"preset", preset}, {"crf", std::to_string(run.crf)}};
  if (peer.name == "x264") {
    o.push_back({"x264-params", "bframes=0:keyint=" + gop});
  } else if (peer.name == "x265") {
    // info=0: no version SEI (x264 has no such switch; coded_stream_bytes() leaves it out).
    o.push_back({"x265-params", "bframes=0:keyint=" + gop + ":log-level=error:info=0"});
  } else if (peer.name == "svtav1") {
    o.push_back({"svtav1-params", "pred-struct=1"});  // low delay
  }
  return o;
}

}  // namespace

std::vector<int> matched_crfs(const PeerCodec& peer, double psnr_lo, double psnr_hi, int count,
                              const std::function<double(int)>& psnr_at) {
  // Largest CRF still at or above `target` dB (0 when even CRF 0 is below it).
  auto last_crf_reaching = [&](double target) {
    int lo = 0, hi = peer.max_crf, best = 0;
    while (lo <= hi) {
      int mid = (lo + hi) / 2;
      if (psnr_at(mid) >= target) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  };
  const int best_quality = last_crf_reaching(psnr_hi);
  const int worst_quality = std::min(peer.max_crf, last_crf_reaching(psnr_lo) + 1);
  std::vector<int> crfs;
  for (int i = 0; i < count; ++i) {
    int crf = best_quality + (worst_quality - best_quality) * i / std::max(1, count - 1);
    if (crfs.empty() || crf != crfs.back()) crfs.push_back(crf);
  }
  return crfs;
}

const PeerCodec& find_peer(const std::string& name) {
  for (const auto& p : peers())
    if (p.name == name) return p;
  std::string known;
  for (const auto& p : peers()) known += (known.empty() ? "" : ", ") + p.name;
  throw std::invalid_argument("unknown codec '" + name + "' (known: " + known + ")");
}

std::vector<std::string> peer_names() {
  std::vector<std::string> names;
  for (const auto& p : peers()) names.push_back(p.name);
  return names;
}

void fill_rates(EncodeMeasurement& m, int64_t bytes, const std::vector<Frame>& frames, Rational rate) {
  m.bytes = bytes;
  double seconds = double(frames.size()) / rate.value();
  m.kbps = seconds > 0 ? double(bytes) * 8.0 / seconds / 1000.0 : 0;
  double pixels = frames.empty() ? 0 : double(frames.size()) * frames[0].width * frames[0].height;
  m.bpp = pixels > 0 ? double(bytes) * 8.0 / pixels : 0;
}

EncodeMeasurement run_peer(const PeerCodec& peer, const std::vector<Frame>& frames, Rational rate,
                           const PeerRun& run, const std::string& path) {
  if (frames.empty()) throw std::invalid_argument("no frames to encode");
  io::VideoWriterOptions wo;
  wo.encoder = peer.encoder;
  wo.encoder_options = encoder_options(peer, run);
  wo.gop = run.gop;
  wo.low_delay = true;
  wo.threads = run.threads;
  {
    auto writer = io::VideoWriter::create(path, frames[0].width, frames[0].height, rate, wo);
    for (const auto& f : frames) writer->write(f);
    writer->finish();
  }
  EncodeMeasurement m;
  m.label = peer.name + " crf " + std::to_string(run.crf);
  fill_rates(m, io::coded_stream_bytes(path), frames, rate);
  auto reader = io::VideoReader::open(path);
  metrics::SequenceQuality q;
  Frame decoded;
  while (q.frames.size() < frames.size() && reader->read(decoded))
    q.frames.push_back(metrics::measure_frame(frames[q.frames.size()], decoded, false));
  if (q.frames.size() != frames.size())
    throw std::runtime_error(path + ": " + peer.name + " returned " + std::to_string(q.frames.size()) +
                             " of " + std::to_string(frames.size()) + " frames");
  m.psnr_yuv = q.mean_psnr_yuv();
  return m;
}

}  // namespace vaec::compare
