// `vaec encode`: compress a video into a .vae file through the C API.
#include <algorithm>
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "cli/codec_session.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/model_option.h"
#include "cli/preset_option.h"
#include "cli/progress.h"
#include "cli/vae_files.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {
namespace {

struct EncodeOptions {
  std::string input, output, model;
  int quality = 50;
  int gop = 32;
  int bitrate_kbps = 0;
  int preset = VAEC_PRESET_MEDIUM;
  int64_t max_frames = -1;
  int64_t start_frame = 0;
  int max_bitstream = 0;  // 0: the newest the preset needs
  RawInputOptions raw;
};

void encode(const EncodeOptions& o, const GlobalOptions& global) {
  auto reader = open_input(o.input, o.raw);
  const auto& info = reader->info();
  if (info.converted && !global.quiet)
    std::fprintf(stderr, "vaec: %s: converting %s to yuv420p\n", o.input.c_str(), info.source_pixel_format.c_str());
  const std::string model = resolve_model_path(o.model);
  VaecSettings s = encoder_settings(model, o.quality, o.gop, global.threads, info.width, info.height, info.frame_rate);
  s.bitrate_kbps = o.bitrate_kbps;
  s.preset = o.preset;
  s.frame_count = 0;  // the index at the end records it; containers' counts are not always exact
  s.first_frame = int(o.start_frame);
  s.max_bitstream_major = o.max_bitstream;

  VaeOutput output(o.output);
  EncoderSession encoder(s);
  int64_t total = info.frame_count < 0 ? -1 : std::max<int64_t>(0, info.frame_count - o.start_frame);
  if (o.max_frames > 0 && (total < 0 || total > o.max_frames)) total = o.max_frames;
  Progress progress("encode", total, global.quiet);
  const auto start = std::chrono::steady_clock::now();
  int64_t frames = 0, bytes = 0, intra_frames = 0;
  auto on_packet = [&](const VaecPacket& p) {
    output.write_packet(p);
    bytes += int64_t(p.size);
    intra_frames += p.frame_type == VAEC_FRAME_I;
  };
  Frame frame;
  try {
    // A segment starts at source frame start_frame.
    const int64_t skipped = reader->skip_to(o.start_frame);
    if (skipped < o.start_frame)
      throw CommandError(fmt::format("{}: --start-frame {} is past the last frame ({} frames)", o.input,
                                     o.start_frame, skipped));
    while ((o.max_frames < 0 || frames < o.max_frames) && reader->read(frame)) {
      encoder.encode(&frame, on_packet);
      progress.update(++frames);
    }
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  if (frames == 0) throw CommandError(o.input + ": no frames could be decoded");
  encoder.encode(nullptr, on_packet);
  const int64_t file_bytes = output.finish();
  output.commit();
  progress.finish();
  if (!global.quiet) {
    double seconds = double(frames) * info.frame_rate.den / double(info.frame_rate.num);
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "%s", fmt::format("vaec: {} frames {}x{} ({} I, {} P), {} bytes, {:.1f} kbit/s, {:.4f} bpp, "
                                           "{}, preset {}, {:.2f} fps\n",
                                           frames, info.width, info.height, intra_frames, frames - intra_frames,
                                           file_bytes,
                                           file_bytes * 8.0 / seconds / 1000.0,
                                           file_bytes * 8.0 / (double(frames) * info.width * info.height),
                                           o.bitrate_kbps ? fmt::format("target {} kbit/s", o.bitrate_kbps)
                                                          : fmt::format("quality {}", o.quality),
                                           vaec_preset_name(o.preset),
                                           frames / std::max(elapsed, 1e-9)).c_str());
  }
}

}  // namespace

void register_encode(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("encode", "Compress a video file into a .vae bitstream");
  sub->footer("Example: vaec encode input.mp4 -o out.vae --quality 60 --preset slow");
  add_global_options(*sub, global);
  auto o = std::make_shared<EncodeOptions>();
  sub->add_option("INPUT", o->input, "Input video (any format FFmpeg reads; - for stdin)")->required();
  sub->add_option("-o,--output", o->output, "Output .vae file (- for stdout)")->required();
  auto* quality = sub->add_option("--quality", o->quality,
                                  "Quality 1 (smallest) .. 100 (best); above 50 a pixel refinement layer is "
                                  "added (100: about 45 dB PSNR)")
                      ->check(CLI::Range(1, 100))->capture_default_str();
  sub->add_option("--bitrate", o->bitrate_kbps,
                  "Target average bitrate in kbit/s: picks the quality of each GOP (instead of --quality)")
      ->check(CLI::Range(1, 1000000))->excludes(quality);
  sub->add_option("--gop", o->gop,
                  "Intra period in frames (1: all intra); scene cuts also start a new GOP with an I-frame")
      ->check(CLI::Range(1, 65535))->capture_default_str();
  sub->add_option("--frames", o->max_frames, "Encode only N frames (from --start-frame)")->check(CLI::PositiveNumber);
  sub->add_option("--start-frame", o->start_frame,
                  "Start at source frame K (0-based), with an I-frame: a segment that `vaec concat` joins "
                  "to the segments before and after it (docs/scale-out.md)")
      ->check(CLI::Range(int64_t(0), int64_t(2147483647)));
  add_preset_option(*sub, o->preset);
  sub->add_option("--max-bitstream", o->max_bitstream,
                  "Write a stream that decoders of this bitstream major version read: 4 leaves out the "
                  "per-GOP synthesis updates of 5.0 (medium, slow, veryslow), for a few percent more bits; "
                  "default: the newest version the preset needs (docs/bitstream.md)")
      ->check(CLI::IsMember({4, 5}));
  add_model_option(*sub, o->model);
  add_raw_input_options(*sub, o->raw);
  sub->callback([o, &global] { encode(*o, global); });
}

}  // namespace vaec::cli
