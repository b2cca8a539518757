// `vaec eval REF DIST`: PSNR (Y, U, V, YUV) and MS-SSIM of one video against another.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/preset_option.h"
#include "cli/eval_compare.h"
#include "cli/input_options.h"
#include "cli/progress.h"
#include "io/ffmpeg_error.h"
#include "metrics/sequence_metrics.h"

namespace vaec::cli {
namespace {

struct EvalOptions {
  std::string reference, distorted;
  RawInputOptions raw;
  bool json = false, csv = false, summary = false;
  int64_t max_frames = -1;  // --frames: compare only the first N (-1: all, lengths must agree)
};

// Reads both videos in step and measures frame pairs, `threads` at a time.
metrics::SequenceQuality measure(const EvalOptions& o, const GlobalOptions& global) {
  auto ref = open_input(o.reference, o.raw);
  auto dist = open_input(o.distorted, o.raw);
  const auto& ri = ref->info();
  const auto& di = dist->info();
  if (ri.width != di.width || ri.height != di.height)
    throw CommandError(fmt::format("size mismatch: {} is {}x{}, {} is {}x{}", o.reference, ri.width,
                                   ri.height, o.distorted, di.width, di.height));

  metrics::SequenceQuality quality;
  const bool limited = o.max_frames > 0;
  const int64_t expected = limited && (ri.frame_count < 0 || o.max_frames < ri.frame_count) ? o.max_frames
                                                                                                  : ri.frame_count;
  Progress progress("eval", expected, global.quiet);
  const size_t batch = size_t(global.resolved_threads());
  bool ref_more = true, dist_more = true;
  while (ref_more && dist_more) {
    std::vector<Frame> a, b;
    for (size_t i = 0; i < batch; ++i) {
      if (limited && int64_t(quality.frames.size() + a.size()) >= o.max_frames) break;
      Frame fa, fb;
      try {
        ref_more = ref->read(fa);
        dist_more = dist->read(fb);
      } catch (const io::IoError& e) {
        throw CommandError(e.what());
      }
      if (!ref_more || !dist_more) break;
      a.push_back(std::move(fa));
      b.push_back(std::move(fb));
    }
    std::vector<std::future<metrics::FrameQuality>> jobs;
    for (size_t i = 0; i < a.size(); ++i)
      jobs.push_back(std::async(std::launch::async, [&, i] { return metrics::measure_frame(a[i], b[i]); }));
    for (auto& j : jobs) quality.frames.push_back(j.get());
    progress.update(int64_t(quality.frames.size()));
    if (limited && int64_t(quality.frames.size()) >= o.max_frames) break;
  }
  progress.finish();
  if (ref_more != dist_more) {
    // Count what is left of the longer one so the message gives both lengths.
    auto& longer = ref_more ? ref : dist;
    size_t extra = 1;
    Frame f;
    while (longer->read(f)) ++extra;
    size_t n = quality.frames.size();
    throw CommandError(fmt::format("frame count mismatch: {} has {} frames, {} has {} (--frames {} compares "
                                   "the first {})",
                                   o.reference, ref_more ? n + extra : n, o.distorted, dist_more ? n + extra : n,
                                   n, n));
  }
  if (quality.frames.empty()) throw CommandError(o.reference + ": no frames to compare");
  return quality;
}

std::vector<int> parse_int_list(const std::string& text, const char* option, int lo, int hi) {
  std::vector<int> values;
  for (const auto& item : split_list(text)) {
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (*end || v < lo || v > hi)
      throw CommandError(fmt::format("{}: '{}' is not an integer in {}..{}", option, item, lo, hi));
    values.push_back(int(v));
  }
  if (values.empty()) throw CommandError(fmt::format("{} needs at least one value", option));
  return values;
}

nlohmann::json frame_json(const metrics::FrameQuality& f) {
  return {{"psnr_y", f.psnr.y}, {"psnr_u", f.psnr.u}, {"psnr_v", f.psnr.v},
          {"psnr_yuv", f.psnr.yuv()}, {"ms_ssim_y", f.ms_ssim_y}};
}

void print_json(const EvalOptions& o, const metrics::SequenceQuality& q) {
  auto m = q.mean_psnr();
  nlohmann::json out = {
      {"reference", o.reference},
      {"distorted", o.distorted},
      {"frames", q.frames.size()},
      {"mean", {{"psnr_y", m.y}, {"psnr_u", m.u}, {"psnr_v", m.v}, {"psnr_yuv", q.mean_psnr_yuv()},
                {"ms_ssim_y", q.mean_ms_ssim_y()}}},
  };
  if (!o.summary) {
    out["per_frame"] = nlohmann::json::array();
    for (const auto& f : q.frames) out["per_frame"].push_back(frame_json(f));
  }
  std::printf("%s\n", out.dump(2).c_str());
}

void print_csv(const metrics::SequenceQuality& q) {
  std::printf("frame,psnr_y,psnr_u,psnr_v,psnr_yuv,ms_ssim_y\n");
  for (size_t i = 0; i < q.frames.size(); ++i) {
    const auto& f = q.frames[i];
    std::printf("%zu,%.4f,%.4f,%.4f,%.4f,%.6f\n", i, f.psnr.y, f.psnr.u, f.psnr.v, f.psnr.yuv(),
                f.ms_ssim_y);
  }
}

void print_table(const EvalOptions& o, const metrics::SequenceQuality& q) {
  std::printf("%-6s %8s %8s %8s %9s %10s\n", "frame", "PSNR-Y", "PSNR-U", "PSNR-V", "PSNR-YUV",
              "MS-SSIM-Y");
  if (!o.summary)
    for (size_t i = 0; i < q.frames.size(); ++i) {
      const auto& f = q.frames[i];
      std::printf("%-6zu %8.3f %8.3f %8.3f %9.3f %10.6f\n", i, f.psnr.y, f.psnr.u, f.psnr.v,
                  f.psnr.yuv(), f.ms_ssim_y);
    }
  auto m = q.mean_psnr();
  std::printf("%-6s %8.3f %8.3f %8.3f %9.3f %10.6f\n", "mean", m.y, m.u, m.v, q.mean_psnr_yuv(),
              q.mean_ms_ssim_y());
  std::printf("(%zu frames; PSNR in dB, peak 255, identical planes capped at %.0f dB; "
              "PSNR-YUV = (6Y+U+V)/8; means are of per-frame values)\n",
              q.frames.size(), metrics::kMaxPsnr);
}

}  // namespace

void register_eval(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("eval", "Measure the quality of a video against a reference");
  sub->footer(
      "Prints per-frame and mean PSNR of Y, U and V, PSNR-YUV = (6Y+U+V)/8 and MS-SSIM of Y.\n"
      "Both videos must have the same size and frame count (or use --frames N).\n"
      "With --compare, encodes REF with vaec and the named codecs (low delay, same intra period),\n"
      "prints rate and PSNR-YUV per point and the Bjontegaard BD-rate of vaec against each.\n"
      "Examples: vaec eval original.mp4 decoded.mkv --summary\n"
      "          vaec eval --compare x264,x265 input.mp4 --plot rd.svg");
  add_global_options(*sub, global);
  auto o = std::make_shared<EvalOptions>();
  auto c = std::make_shared<CompareOptions>();
  sub->add_option("REF", o->reference, "Reference (original) video; with --compare, the input")->required();
  sub->add_option("DIST", o->distorted, "Distorted (decoded) video");
  add_raw_input_options(*sub, o->raw);
  auto* json = sub->add_flag("--json", o->json, "JSON output for scripts");
  sub->add_flag("--csv", o->csv, "Per-frame CSV output")->excludes(json);
  sub->add_flag("--summary", o->summary, "Only the means, no per-frame rows");

  auto lists = std::make_shared<std::array<std::string, 3>>();  // --compare, --qualities, --crfs
  auto* cmp = sub->add_option("--compare", (*lists)[0],
                              "Compare vaec on REF with these codecs: x264,x265,svtav1 (RD table, BD-rate)");
  const std::string group = "Comparison (--compare)";
  sub->add_option("--qualities", (*lists)[1], "vaec qualities to run, e.g. 10,30,50,70,90 (the default)")
      ->needs(cmp)->group(group);
  sub->add_option("--crfs", (*lists)[2], "Peer CRFs to run, e.g. 18,23,28,33,38 (default: CRFs bisected to span vaec's PSNR range)")
      ->needs(cmp)->group(group);
  sub->add_option("--gop", c->gop, "Intra period for every codec")->check(CLI::Range(1, 100000))->needs(cmp)
      ->group(group)->capture_default_str();
  sub->add_option("--preset", c->preset, "Peer preset (default: medium; SVT-AV1: 8); vaec's is --vaec-preset")->needs(cmp)->group(group);
  sub->add_option("--frames", o->max_frames, "Use only the first N frames of each video")
      ->check(CLI::PositiveNumber);
  sub->add_option("--model", c->model, "vaec model file (default: the bundled one of --vaec-preset)")->needs(cmp)->group(group);
  add_preset_option(*sub, c->vaec_preset, "--vaec-preset")->needs(cmp)->group(group);
  sub->add_option("--plot", c->plot, "Write the RD curves as SVG")->needs(cmp)->group(group);
  sub->add_option("--keep", c->work_dir, "Keep the encoded files in this folder")->needs(cmp)->group(group);

  sub->callback([o, c, lists, &global] {
    if (!(*lists)[0].empty()) {
      c->peers = split_list((*lists)[0]);
      if (!(*lists)[1].empty()) c->qualities = parse_int_list((*lists)[1], "--qualities", 1, 100);
      if (!(*lists)[2].empty()) c->crfs = parse_int_list((*lists)[2], "--crfs", 0, 63);
      if (!o->distorted.empty()) throw CommandError("eval --compare takes one input video, not two");
      c->input = o->reference;
      c->max_frames = o->max_frames;
      c->raw = o->raw;
      c->json = o->json;
      run_compare(*c, global);
      return;
    }
    if (o->distorted.empty()) throw CommandError("eval needs a reference and a distorted video (or --compare)");
    auto quality = measure(*o, global);
    if (o->json)
      print_json(*o, quality);
    else if (o->csv)
      print_csv(quality);
    else
      print_table(*o, quality);
  });
}

}  // namespace vaec::cli
