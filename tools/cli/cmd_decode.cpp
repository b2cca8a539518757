// `vaec decode`: decompress a .vae file into a playable video through the C API.
#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "cli/codec_session.h"
#include "cli/commands.h"
#include "cli/model_option.h"
#include "cli/progress.h"
#include "cli/vae_files.h"
#include "io/ffmpeg_error.h"
#include "io/md5.h"
#include "io/video_writer.h"

namespace vaec::cli {
namespace {

struct DecodeOptions {
  std::string input, output, model;
  int64_t start_frame = 0;
  bool md5 = false;
};

// Moves the reader to the last I-frame at or before `start` when the stream is seekable and
// indexed; otherwise decoding runs from the start and the frames before `start` are dropped.
void seek_towards(VaeInput& input, int64_t start) {
  if (start == 0) return;
  const int status = vaec_file_reader_seek(input.reader(), start, nullptr);
  if (status == VAEC_EUNSUPPORTED) return;
  int64_t frames = 0;
  if (status == VAEC_EINVAL && vaec_file_reader_frame_count(input.reader(), &frames) == VAEC_OK)
    throw CommandError(fmt::format("{}: --start-frame {} is past the last frame ({} frames)", input.path(), start, frames));
  if (status != VAEC_OK)
    throw CommandError(fmt::format("{}: cannot seek to an I-frame ({})", input.path(), input.error()));
}

void decode(const DecodeOptions& o, const GlobalOptions& global) {
  if (o.output.empty() && !o.md5) throw CommandError("decode needs -o OUTPUT (or --md5)");
  if (o.md5 && o.output == "-") throw CommandError("--md5 prints to stdout: it cannot go with -o -");
  if (!o.output.empty() && !io::is_supported_output(o.output))
    throw CommandError(o.output + ": unknown output extension (use .y4m, .yuv, .mp4 or .mkv)");
  VaeInput input(o.input);
  const VaecStreamInfo& info = input.info();
  seek_towards(input, o.start_frame);
  const std::string model = resolve_model_path(o.model);
  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = model.c_str();
  s.threads = global.threads;
  DecoderSession decoder(s);
  const VaecPacket header = input.header_packet();
  int status = decoder.send(header.data, header.size);
  if (status != VAEC_OK)
    throw CommandError(o.input + ": " + vaec_status_str(status) + " (" + decoder.last_error() + ")");

  std::unique_ptr<io::VideoWriter> writer;
  try {
    if (!o.output.empty())
      writer = io::VideoWriter::create(o.output, info.width, info.height, Rational{info.fps_num, info.fps_den});
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  io::PictureMd5 md5;
  const std::string destination = o.output.empty() ? "the MD5" : o.output;
  Progress progress("decode", info.frame_count ? std::max<int64_t>(0, info.frame_count - o.start_frame) : -1,
                    global.quiet);
  int64_t decoded = 0, next_expected = 0;  // display index the next packet should have
  bool damage_seen = false;                // the reader lost a record
  std::vector<std::string> losses;
  auto on_frame = [&](const VaecPicture& pic) {
    if (pic.pts < o.start_frame) return;  // decoded only as a reference for later frames
    const Frame frame = frame_from_picture(pic);
    if (writer) writer->write(frame);
    if (o.md5) md5.add(frame);
    progress.update(++decoded);
  };
  // Frames the reader skipped to resume after a damaged record (their records were never read).
  auto name_skipped = [&](int64_t upto) {
    const int64_t from = std::max(next_expected, o.start_frame);
    if (upto <= from) return;
    losses.push_back(upto - from == 1 ? fmt::format("frame {}: lost with a damaged record", from)
                                      : fmt::format("frames {} to {}: lost with a damaged record", from, upto - 1));
  };
  try {
    for (;;) {
      VaecPacket packet{};
      status = vaec_file_read_packet(input.reader(), &packet);
      if (status == VAEC_EOF) {
        int64_t frames = 0;
        if (!vaec_file_reader_complete(input.reader()))
          losses.push_back("the stream has no index: it was cut short, later frames may be missing");
        else if (damage_seen && vaec_file_reader_frame_count(input.reader(), &frames) == VAEC_OK)
          name_skipped(frames);  // a damaged record after the last I-frame ends the readable part
        break;
      }
      if (status != VAEC_OK) {  // a damaged record: the decoder sees the gap at the next P-frame
        damage_seen = true;
        const std::string why = fmt::format("{} ({})", vaec_status_str(status), input.error());
        if (packet.pts >= 0) {
          name_skipped(packet.pts);
          if (packet.pts >= o.start_frame) losses.push_back(fmt::format("frame {}: {}", packet.pts, why));
          next_expected = std::max(next_expected, packet.pts + 1);
        } else if (vaec_file_reader_failed(input.reader())) {
          losses.push_back(fmt::format("after frame {}: {}", next_expected - 1, why));
        }
        if (vaec_file_reader_failed(input.reader())) break;
        continue;
      }
      name_skipped(packet.pts);
      next_expected = packet.pts + 1;
      status = decoder.send(packet.data, packet.size);
      if (status != VAEC_OK) {
        if (packet.pts >= o.start_frame)
          losses.push_back(fmt::format("frame {}: {} ({})", packet.pts, vaec_status_str(status), decoder.last_error()));
        continue;  // decoding resumes at the next I-frame
      }
      decoder.drain(on_frame);
    }
    decoder.send(nullptr, 0);
    decoder.drain(on_frame);
    if (decoded == 0 && o.start_frame > 0 && losses.empty())
      throw CommandError(fmt::format("{}: --start-frame {} is past the last frame", o.input, o.start_frame));
    if (decoded == 0) throw CommandError(o.input + ": no frame could be decoded" +
                                         (losses.empty() ? "" : " (" + losses.front() + ")"));
    if (writer) writer->finish();
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  progress.finish();
  if (o.md5) std::printf("%s\n", md5.hex().c_str());
  if (!losses.empty()) {
    for (const auto& l : losses) std::fprintf(stderr, "vaec: %s: %s\n", o.input.c_str(), l.c_str());
    throw CommandError(fmt::format("{}: damaged stream: wrote the {} intact frames to {}", o.input, decoded, destination));
  }
  if (!global.quiet) std::fprintf(stderr, "vaec: decoded %lld frames to %s\n", (long long)decoded, destination.c_str());
}

}  // namespace

void register_decode(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("decode", "Decompress a .vae bitstream into .y4m, .yuv, .mp4 or .mkv");
  sub->footer("Example: vaec decode out.vae -o decoded.mp4\n"
              "        vaec decode out.vae --md5   (MD5 of the pictures, as a .yuv file holds them)\n"
              "A damaged stream decodes every intact frame, names the lost ones and exits with 1\n"
              "(a lost frame also loses the P-frames after it, up to the next I-frame).");
  add_global_options(*sub, global);
  auto o = std::make_shared<DecodeOptions>();
  sub->add_option("INPUT", o->input, "Input .vae file (- for stdin)")->required();
  sub->add_option("-o,--output", o->output,
                  "Output video: .y4m (raw; - for stdout), .yuv (bare yuv420p planes), .mp4 (H.264, visually lossless) or .mkv (FFV1, lossless)");
  sub->add_flag("--md5", o->md5,
                "Print the MD5 of the decoded pictures (every output frame's Y, U and V planes, as a .yuv file holds "
                "them, like dav1d's md5 output): compare decoders and builds without writing a file");
  sub->add_option("--start-frame", o->start_frame,
                  "First frame to output (display index); decoding starts at the I-frame before it")
      ->check(CLI::NonNegativeNumber);
  add_model_option(*sub, o->model);
  sub->callback([o, &global] { decode(*o, global); });
}

}  // namespace vaec::cli
