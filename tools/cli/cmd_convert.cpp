// `vaec convert`: re-write a video through vaec's own I/O (as .y4m, .yuv, .mp4 or .mkv).
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/progress.h"
#include "io/ffmpeg_error.h"
#include "io/video_writer.h"

namespace vaec::cli {
namespace {

struct ConvertOptions {
  std::string input, output;
  RawInputOptions raw;
  int crf = io::VideoWriterOptions{}.x264_crf;
  int64_t max_frames = -1;
};

void convert(const ConvertOptions& o, const GlobalOptions& global) {
  auto reader = open_input(o.input, o.raw);
  const auto& info = reader->info();
  if (info.converted && !global.quiet)
    std::fprintf(stderr, "vaec: %s: converting %s to yuv420p\n", o.input.c_str(),
                 info.source_pixel_format.c_str());
  try {
    io::VideoWriterOptions wo;
    wo.x264_crf = o.crf;
    auto writer = io::VideoWriter::create(o.output, info.width, info.height, info.frame_rate, wo);
    int64_t total = info.frame_count;
    if (o.max_frames >= 0 && (total < 0 || total > o.max_frames)) total = o.max_frames;
    Progress progress("convert", total, global.quiet);
    Frame frame;
    int64_t n = 0;
    while ((o.max_frames < 0 || n < o.max_frames) && reader->read(frame)) {
      writer->write(frame);
      progress.update(++n);
    }
    if (n == 0) throw CommandError(o.input + ": no frames could be decoded");
    writer->finish();
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
}

}  // namespace

void register_convert(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("convert", "Re-write a video as .y4m, .yuv, .mp4 (H.264) or .mkv (FFV1)");
  sub->footer("The output format follows its extension. Example: vaec convert in.mov -o ref.y4m");
  add_global_options(*sub, global);
  auto o = std::make_shared<ConvertOptions>();
  sub->add_option("INPUT", o->input, "Input video (any format FFmpeg reads; - for stdin)")->required();
  sub->add_option("-o,--output", o->output, "Output .y4m, .yuv, .mp4 or .mkv (- writes y4m to stdout)")
      ->required();
  sub->add_option("--crf", o->crf, "x264 CRF for .mp4 output (lower is better)")
      ->check(CLI::Range(0, 51))->capture_default_str();
  sub->add_option("--frames", o->max_frames, "Stop after this many frames")->check(CLI::Range(int64_t(1), int64_t(1) << 40));
  add_raw_input_options(*sub, o->raw);
  sub->callback([o, &global] { convert(*o, global); });
}

}  // namespace vaec::cli
