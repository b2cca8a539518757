#include "compare/vaec_runner.h"

#include <stdexcept>

#include "cli/codec_session.h"
#include "cli/commands.h"
#include "cli/model_option.h"
#include "cli/vae_files.h"
#include "metrics/sequence_metrics.h"

namespace vaec::compare {

EncodeMeasurement run_vaec(const std::vector<Frame>& frames, Rational rate, const VaecRun& run,
                           const std::string& path) {
  if (frames.empty()) throw std::invalid_argument("no frames to encode");
  const std::string model = cli::resolve_model_path(run.model);
  VaecSettings s = cli::encoder_settings(model, run.quality, run.gop, run.threads, frames[0].width,
                                         frames[0].height, rate);
  s.frame_count = int(frames.size());
  s.preset = run.preset;

  // Encode into a real file; decode the same records straight from memory.
  cli::VaeOutput output(path);
  cli::EncoderSession encoder(s);
  cli::DecoderSession decoder(s);
  metrics::SequenceQuality quality;
  auto on_frame = [&](const VaecPicture& pic) {
    quality.frames.push_back(metrics::measure_frame(frames.at(quality.frames.size()), cli::frame_from_picture(pic), false));
  };
  auto on_packet = [&](const VaecPacket& p) {
    output.write_packet(p);
    cli::check_status(decoder.send(p.data, p.size), "decoding failed", nullptr);
    decoder.drain(on_frame);
  };
  for (const auto& f : frames) encoder.encode(&f, on_packet);
  encoder.encode(nullptr, on_packet);
  const int64_t bytes = output.finish();
  output.commit();
  if (quality.frames.size() != frames.size()) throw std::runtime_error(path + ": decoder returned too few frames");

  EncodeMeasurement m;
  m.label = "vaec q " + std::to_string(run.quality);
  fill_rates(m, bytes, frames, rate);
  m.psnr_yuv = quality.mean_psnr_yuv();
  return m;
}

}  // namespace vaec::compare
