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
#include "io/video_writer.h"

namespace vaec::cli {
namespace {

struct DecodeOptions {
  std::string input, output, model;
  int64_t start_frame = 0;
};

// Moves the reader to the last I-frame at or before `start` when the stream is seekable and
// indexed; otherwise decoding runs from the start and the frames before `start` are dropped.
void seek_towards(bitstream::ContainerReader& reader, int64_t start, const std::string& path) {
  if (start == 0) return;
  bitstream::StreamIndex index;
  if (!reader.load_index(&index).ok()) return;
  if (uint64_t(start) >= index.frame_count)
    throw CommandError(fmt::format("{}: --start-frame {} is past the last frame ({} frames)", path, start,
                                   index.frame_count));
  const bitstream::IndexEntry* entry = nullptr;
  for (const auto& e : index.entries)
    if (e.display_index <= uint64_t(start)) entry = &e;
  if (!entry) return;
  Status st = reader.seek_to(*entry);
  if (!st.ok()) throw CommandError(status_message(path, "cannot seek to an I-frame", st));
}

void decode(const DecodeOptions& o, const GlobalOptions& global) {
  if (!io::is_supported_output(o.output))
    throw CommandError(o.output + ": unknown output extension (use .y4m, .yuv, .mp4 or .mkv)");
  VaeInput input(o.input);
  auto& reader = input.reader();
  bitstream::StreamHeader header;
  Status st = reader.read_header(&header);
  if (!st.ok()) throw CommandError(status_message(o.input, "not a readable .vae stream", st));

  seek_towards(reader, o.start_frame, o.input);
  const std::string model = resolve_model_path(o.model);
  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = model.c_str();
  s.threads = global.threads;
  DecoderSession decoder(s);
  std::vector<uint8_t> record;
  st = bitstream::serialize_header(header, &record);
  if (!st.ok()) throw CommandError(status_message(o.input, "bad stream header", st));
  int status = decoder.send(record.data(), record.size());
  if (status != VAEC_OK)
    throw CommandError(o.input + ": " + vaec_status_str(status) + " (" + decoder.last_error() + ")");

  std::unique_ptr<io::VideoWriter> writer;
  try {
    writer = io::VideoWriter::create(o.output, int(header.width), int(header.height),
                                     Rational{header.fps_num, header.fps_den});
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  Progress progress("decode", header.frame_count ? std::max<int64_t>(0, int64_t(header.frame_count) - o.start_frame) : -1,
                    global.quiet);
  int64_t decoded = 0;
  std::vector<std::string> losses;
  auto on_frame = [&](const VaecPicture& pic) {
    if (pic.pts < o.start_frame) return;  // decoded only as a reference for later frames
    writer->write(frame_from_picture(pic));
    progress.update(++decoded);
  };
  try {
    for (;;) {
      bitstream::Packet packet;
      st = reader.read_packet(&packet);
      if (st.code() == StatusCode::kEndOfStream) {
        if (!reader.has_index()) losses.push_back("the stream has no index: it was cut short, later frames may be missing");
        break;
      }
      if (!st.ok()) {
        losses.push_back(fmt::format("frames from {} on: {}", o.start_frame + decoded + int64_t(losses.size()), st.message()));
        break;
      }
      record.clear();
      st = bitstream::append_packet_record(uint8_t(packet.type), packet.display_index, packet.payload.data(),
                                           packet.payload.size(), &record);
      status = st.ok() ? decoder.send(record.data(), record.size()) : VAEC_EINVALIDDATA;
      if (status != VAEC_OK) {
        if (int64_t(packet.display_index) >= o.start_frame)
          losses.push_back(fmt::format("frame {}: {} ({})", packet.display_index, vaec_status_str(status), decoder.last_error()));
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
    writer->finish();
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
  progress.finish();
  if (!losses.empty()) {
    for (const auto& l : losses) std::fprintf(stderr, "vaec: %s: %s\n", o.input.c_str(), l.c_str());
    throw CommandError(fmt::format("{}: damaged stream: wrote the {} intact frames to {}", o.input, decoded, o.output));
  }
  if (!global.quiet) std::fprintf(stderr, "vaec: decoded %lld frames to %s\n", (long long)decoded, o.output.c_str());
}

}  // namespace

void register_decode(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("decode", "Decompress a .vae bitstream into .y4m, .yuv, .mp4 or .mkv");
  sub->footer("Example: vaec decode out.vae -o decoded.mp4\n"
              "A damaged stream decodes every intact frame, names the lost ones and exits with 1\n"
              "(a lost frame also loses the P-frames after it, up to the next I-frame).");
  add_global_options(*sub, global);
  auto o = std::make_shared<DecodeOptions>();
  sub->add_option("INPUT", o->input, "Input .vae file (- for stdin)")->required();
  sub->add_option("-o,--output", o->output,
                  "Output video: .y4m (raw; - for stdout), .yuv (bare yuv420p planes), .mp4 (H.264, visually lossless) or .mkv (FFV1, lossless)")
      ->required();
  sub->add_option("--start-frame", o->start_frame,
                  "First frame to output (display index); decoding starts at the I-frame before it")
      ->check(CLI::NonNegativeNumber);
  add_model_option(*sub, o->model);
  sub->callback([o, &global] { decode(*o, global); });
}

}  // namespace vaec::cli
