// `vaec info`: the header of a .vae file, then every frame's type and size, then totals.
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_option.h"
#include "cli/vae_files.h"

namespace vaec::cli {
namespace {

struct InfoOptions {
  std::string input;
  bool json = false;
  bool frames = true;
};

struct FrameRow {
  uint64_t index;
  char type;
  int64_t bytes;  // the whole packet record
  int quality;    // the payload's first byte (docs/bitstream.md): bitrate mode changes it per GOP
  int update;     // bytes of an I-frame's synthesis update (docs/bitstream.md §3.4)
};

void info(const InfoOptions& o) {
  VaeInput input(o.input);
  const VaecStreamInfo& h = input.info();
  const VaecPacket header_record = input.header_packet();

  std::vector<FrameRow> rows;
  std::string problem;  // what is wrong with the stream, "; "-separated
  auto add_problem = [&](const std::string& p) { problem += (problem.empty() ? "" : "; ") + p; };
  for (;;) {
    VaecPacket p{};
    const int status = vaec_file_read_packet(input.reader(), &p);
    if (status == VAEC_EOF) break;
    if (status != VAEC_OK) {  // a damaged record: listed frames are the intact ones
      if (vaec_file_reader_failed(input.reader())) {
        add_problem(fmt::format("stops after {} frames: {}", rows.size(), input.error()));
        break;
      }
      add_problem(p.pts >= 0 ? fmt::format("frame {} damaged: {}", p.pts, input.error())
                             : fmt::format("a damaged record after {} frames: {}", rows.size(), input.error()));
      continue;
    }
    rows.push_back({uint64_t(p.pts), p.frame_type == VAEC_FRAME_I ? 'I' : 'P', int64_t(p.size), p.quality,
                    p.synthesis_update_bytes});
  }
  if (!vaec_file_reader_complete(input.reader()) && !vaec_file_reader_failed(input.reader()))
    add_problem("no index: the stream was cut short");

  const double pixels = double(h.width) * h.height;
  const double fps = double(h.fps_num) / h.fps_den;
  int64_t frame_bytes = 0;
  for (const auto& r : rows) frame_bytes += r.bytes;
  const int64_t total = input.file_size() >= 0 ? input.file_size()
                                                : int64_t(header_record.size) + frame_bytes;
  const double seconds = rows.empty() ? 0 : double(rows.size()) / fps;
  const double kbps = seconds > 0 ? total * 8.0 / seconds / 1000.0 : 0;
  const std::string model = model_hash_hex(h.model_hash);
  const std::string model_file = bundled_model_with_hash(h.model_hash);
  const char* preset_name = h.preset ? vaec_preset_name(h.preset) : nullptr;
  const std::string preset = preset_name ? preset_name : h.preset ? fmt::format("unknown ({})", h.preset) : "not recorded";

  if (o.json) {
    nlohmann::json j = {
        {"file", o.input},
        {"version", fmt::format("{}.{}", h.version_major, h.version_minor)},
        {"width", h.width}, {"height", h.height}, {"pixel_format", "yuv420p"},
        {"fps_num", h.fps_num}, {"fps_den", h.fps_den}, {"gop", h.gop}, {"quality", h.quality},
        {"frame_count_in_header", h.frame_count}, {"first_frame", h.first_frame}, {"model_hash", model},
        {"model_file", model_file.empty() ? nlohmann::json(nullptr) : nlohmann::json(model_file)},
        {"preset", preset_name ? nlohmann::json(preset_name) : nlohmann::json(nullptr)},
        {"header_bytes", header_record.size}, {"frame_bytes", frame_bytes},
        {"index_bytes", total - int64_t(header_record.size) - frame_bytes}, {"total_bytes", total},
        {"frames", rows.size()}, {"mean_kbps", kbps},
        {"mean_bpp", rows.empty() ? 0.0 : frame_bytes * 8.0 / (pixels * rows.size())},
        {"complete", problem.empty()}};
    if (!problem.empty()) j["problem"] = problem;
    j["per_frame"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["per_frame"].push_back({{"index", r.index}, {"type", std::string(1, r.type)}, {"bytes", r.bytes},
                                {"bpp", r.bytes * 8.0 / pixels}, {"quality", r.quality},
                                {"synthesis_update_bytes", r.update}});
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: vaec bitstream %d.%d\n", o.input.c_str(), h.version_major, h.version_minor);
    std::printf("  %dx%d yuv420p, %d/%d fps (%.3f), intra period %d, quality %d\n", h.width, h.height, h.fps_num,
                h.fps_den, fps, h.gop, h.quality);
    std::printf("  model %s (%s), preset %s\n", model.c_str(),
                model_file.empty() ? "not a bundled model: decode with --model FILE" : model_file.c_str(),
                preset.c_str());
    if (h.first_frame > 0 && !rows.empty())
      std::printf("  a segment: source frames %d..%lld\n", h.first_frame, (long long)(h.first_frame + rows.size() - 1));
    if (o.frames) {
      // Streams that may carry synthesis updates (5.x) show their bytes per I-frame.
      const bool updates = h.version_major >= 5;
      std::printf("%8s %4s %10s %8s %7s%s\n", "frame", "type", "bytes", "bpp", "quality", updates ? "  update" : "");
      for (const auto& r : rows) {
        std::printf("%8llu %4c %10lld %8.4f %7d", (unsigned long long)r.index, r.type, (long long)r.bytes,
                    r.bytes * 8.0 / pixels, r.quality);
        if (updates && r.update > 0) std::printf("  %6d", r.update);
        std::printf("\n");
      }
    }
    // With damage, the bytes outside intact frames and the header include the damaged records.
    std::printf("%zu frames, %lld bytes in frames + %zu header + %lld %s = %lld bytes; %.1f kbit/s, %.4f bpp\n",
                rows.size(), (long long)frame_bytes, header_record.size,
                (long long)(total - int64_t(header_record.size) - frame_bytes),
                problem.empty() ? "index" : "index and damaged records", (long long)total, kbps,
                rows.empty() ? 0.0 : frame_bytes * 8.0 / (pixels * rows.size()));
    if (!problem.empty()) std::printf("warning: %s\n", problem.c_str());
  }
  if (!problem.empty()) throw CommandError(o.input + ": " + problem);
}

}  // namespace

void register_info(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("info", "Print the header and per-frame sizes of a .vae file");
  add_global_options(*sub, global);
  auto o = std::make_shared<InfoOptions>();
  sub->add_option("INPUT", o->input, "Input .vae file (- for stdin)")->required();
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_flag("!--no-frames", o->frames, "Only the header and totals");
  sub->callback([o] { info(*o); });
}

}  // namespace vaec::cli
