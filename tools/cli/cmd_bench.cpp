// `vaec bench`: encode/decode speed and peak memory at standard sizes, through the C API.
//
// Each (size, threads) case runs in a child process (`vaec bench --case WxH:T`) so that its
// peak resident memory is its own; the parent prints one table row (or JSON) per case.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/codec_session.h"
#include "cli/commands.h"
#include "cli/input_options.h"
#include "cli/model_option.h"
#include "cli/preset_option.h"
#include "common/limits.h"
#include "io/ffmpeg_error.h"
#include "io/video_reader.h"

namespace vaec::cli {
namespace {

struct BenchOptions {
  std::string sizes = "480p,720p,1080p";
  std::string threads = "1,2";
  int frames = 8;
  int quality = 50;
  int gop = 32;
  int preset = VAEC_PRESET_MEDIUM;
  std::string input;  // default: the bundled sample
  std::string model;
  std::string single_case;  // internal: "WxH:T"
  bool json = false;
};

struct CaseResult {
  int width = 0, height = 0, threads = 0, frames = 0;
  double encode_fps = 0, decode_fps = 0, bpp = 0;
  long peak_rss_kb = 0;
};

bool parse_size(const std::string& s, int& w, int& h) {
  if (s == "480p") return w = 854, h = 480, true;
  if (s == "720p") return w = 1280, h = 720, true;
  if (s == "1080p") return w = 1920, h = 1080, true;
  if (s == "2160p" || s == "4k") return w = 3840, h = 2160, true;
  char tail;
  return std::sscanf(s.c_str(), "%dx%d%c", &w, &h, &tail) == 2 && w > 0 && h > 0 &&
         uint32_t(w) <= kMaxDimension && uint32_t(h) <= kMaxDimension;
}

// Bilinear resize of one plane (benchmark input only: content realism, not quality, matters).
void resize_plane(const uint8_t* src, int sw, int sh, uint8_t* dst, int dw, int dh) {
  for (int y = 0; y < dh; ++y) {
    double fy = std::max(0.0, (y + 0.5) * sh / dh - 0.5);
    int y0 = std::min(int(fy), sh - 1), y1 = std::min(y0 + 1, sh - 1);
    double wy = fy - y0;
    for (int x = 0; x < dw; ++x) {
      double fx = std::max(0.0, (x + 0.5) * sw / dw - 0.5);
      int x0 = std::min(int(fx), sw - 1), x1 = std::min(x0 + 1, sw - 1);
      double wx = fx - x0;
      double v = (1 - wy) * ((1 - wx) * src[y0 * sw + x0] + wx * src[y0 * sw + x1]) +
                 wy * ((1 - wx) * src[y1 * sw + x0] + wx * src[y1 * sw + x1]);
      dst[y * dw + x] = uint8_t(v + 0.5);
    }
  }
}

std::vector<Frame> load_frames(const BenchOptions& o, int width, int height) {
  const std::string path = o.input.empty() ? std::string(VAEC_SOURCE_DIR_FOR_BENCH) + "/samples/balle.mp4" : o.input;
  auto reader = open_input(path, RawInputOptions{});
  std::vector<Frame> frames;
  Frame f;
  while (int(frames.size()) < o.frames && reader->read(f)) {
    Frame r;
    r.allocate(width, height);
    for (int p = 0; p < 3; ++p)
      resize_plane(f.planes[p].data(), f.plane_width(p), f.plane_height(p), r.planes[p].data(), r.plane_width(p),
                   r.plane_height(p));
    frames.push_back(std::move(r));
  }
  if (frames.empty()) throw CommandError(path + ": no frames for the benchmark");
  return frames;
}

// One case, in this process: encode all frames, then decode the packets.
CaseResult run_case(const BenchOptions& o, int width, int height, int threads) {
  auto frames = load_frames(o, width, height);
  const std::string model = resolve_model_path(o.model);
  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = model.c_str();
  s.quality = o.quality;
  s.gop = o.gop;
  s.preset = o.preset;
  s.threads = threads;
  s.width = width;
  s.height = height;
  std::vector<std::vector<uint8_t>> records;
  size_t bytes = 0;
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  {
    EncoderSession enc(s);
    auto keep = [&](const VaecPacket& p) {
      records.emplace_back(p.data, p.data + p.size);
      bytes += p.size;
    };
    for (const auto& f : frames) enc.encode(&f, keep);
    enc.encode(nullptr, keep);
  }
  auto t1 = clock::now();
  int decoded = 0;
  {
    DecoderSession dec(s);
    for (const auto& r : records) {
      check_status(dec.send(r.data(), r.size()), "decoding failed", nullptr);
      dec.drain([&](const VaecPicture&) { ++decoded; });
    }
    dec.send(nullptr, 0);
    dec.drain([&](const VaecPicture&) { ++decoded; });
  }
  auto t2 = clock::now();
  if (decoded != int(frames.size())) throw CommandError("bench: decoder returned too few frames");
  CaseResult r;
  r.width = width;
  r.height = height;
  r.threads = threads;
  r.frames = int(frames.size());
  r.encode_fps = frames.size() / std::chrono::duration<double>(t1 - t0).count();
  r.decode_fps = frames.size() / std::chrono::duration<double>(t2 - t1).count();
  r.bpp = bytes * 8.0 / (double(width) * height * frames.size());
  return r;
}

// Runs one case in a child process and reads back its figures and peak memory.
CaseResult run_case_in_child(const BenchOptions& o, int width, int height, int threads) {
  std::vector<std::string> args = {"/proc/self/exe", "--quiet", "bench", "--case",
                                   fmt::format("{}x{}:{}", width, height, threads), "--frames",
                                   std::to_string(o.frames), "--quality", std::to_string(o.quality),
                                   "--gop", std::to_string(o.gop), "--preset", vaec_preset_name(o.preset)};
  if (!o.input.empty()) args.insert(args.end(), {"--input", o.input});
  if (session_cpu() != VAEC_CPU_AUTO) {
    static const char* const kNames[] = {"auto", "generic", "avx2", "avx512"};
    args.insert(args.begin() + 2, {"--cpu", kNames[session_cpu()]});
  }
  if (!o.model.empty()) args.insert(args.end(), {"--model", o.model});
  int fds[2];
  if (::pipe(fds) != 0) throw CommandError("bench: cannot create a pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  ::close(fds[0]);
  int status = 0;
  struct rusage usage {};
  ::wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw CommandError(fmt::format("bench: the {}x{} case with {} threads failed", width, height, threads));
  CaseResult r;
  if (std::sscanf(out.c_str(), "%d %d %d %d %lf %lf %lf", &r.width, &r.height, &r.threads, &r.frames,
                  &r.encode_fps, &r.decode_fps, &r.bpp) != 7)
    throw CommandError("bench: unreadable output from a case: " + out);
  r.peak_rss_kb = usage.ru_maxrss;
  return r;
}

void bench(const BenchOptions& o) {
  if (!o.single_case.empty()) {
    int w = 0, h = 0, t = 0;
    char tail;
    if (std::sscanf(o.single_case.c_str(), "%dx%d:%d%c", &w, &h, &t, &tail) != 3) throw CommandError("bad --case");
    auto r = run_case(o, w, h, t);
    std::printf("%d %d %d %d %.4f %.4f %.6f\n", r.width, r.height, r.threads, r.frames, r.encode_fps, r.decode_fps, r.bpp);
    return;
  }
  std::vector<CaseResult> results;
  if (!o.json) std::printf("preset %s, quality %d, GOP %d\n", vaec_preset_name(o.preset), o.quality, o.gop);
  if (!o.json)
    std::printf("%-10s %7s %6s %11s %11s %8s %12s\n", "size", "threads", "frames", "encode_fps", "decode_fps", "bpp",
                "peak_rss_mb");
  for (const auto& size : split_list(o.sizes)) {
    int w, h;
    if (!parse_size(size, w, h)) throw CommandError("bench: unknown size '" + size + "' (480p, 720p, 1080p, 2160p or WxH)");
    for (const auto& t : split_list(o.threads)) {
      int threads = std::atoi(t.c_str());
      if (threads < 1 || threads > 256) throw CommandError("bench: bad thread count '" + t + "'");
      auto r = run_case_in_child(o, w, h, threads);
      results.push_back(r);
      if (!o.json)
        std::printf("%-10s %7d %6d %11.2f %11.2f %8.4f %12.1f\n", fmt::format("{}x{}", w, h).c_str(), r.threads,
                    r.frames, r.encode_fps, r.decode_fps, r.bpp, r.peak_rss_kb / 1024.0);
      std::fflush(stdout);
    }
  }
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : results)
      j.push_back({{"preset", vaec_preset_name(o.preset)}, {"width", r.width}, {"height", r.height}, {"threads", r.threads}, {"frames", r.frames},
                   {"encode_fps", r.encode_fps}, {"decode_fps", r.decode_fps}, {"bpp", r.bpp},
                   {"peak_rss_mb", r.peak_rss_kb / 1024.0}});
    std::printf("%s\n", j.dump(2).c_str());
  }
}

}  // namespace

void register_bench(CLI::App& app, GlobalOptions& global) {
  auto* sub = app.add_subcommand("bench", "Measure encode/decode speed and peak memory at standard sizes");
  sub->footer("Frames of the input (default: the bundled sample) are resized to each size and coded\n"
              "through the C API (transforms, entropy coding, packets); each case runs in its own\n"
              "process so its peak resident memory is its own. Example: vaec bench --sizes 720p --threads 2");
  // Not add_global_options: here --threads is a list of counts to measure.
  sub->add_flag("-q,--quiet", global.quiet, "No progress output on stderr");
  auto o = std::make_shared<BenchOptions>();
  sub->add_option("--sizes", o->sizes, "Comma-separated sizes: 480p, 720p, 1080p, 2160p or WxH")->capture_default_str();
  auto* threads = sub->add_option("--threads", o->threads, "Comma-separated thread counts to measure")
                      ->capture_default_str();
  sub->add_option("--frames", o->frames, "Frames per case")->check(CLI::Range(1, 1000))->capture_default_str();
  sub->add_option("--quality", o->quality, "Quality 1..100")->check(CLI::Range(1, 100))->capture_default_str();
  sub->add_option("--gop", o->gop, "Intra period (1: all I-frames; else P-frames between them)")
      ->check(CLI::Range(1, 65535))->capture_default_str();
  sub->add_option("--input", o->input, "Video whose frames are resized for the benchmark");
  add_preset_option(*sub, o->preset);
  add_model_option(*sub, o->model);
  sub->add_flag("--json", o->json, "JSON output");
  sub->add_option("--case", o->single_case, "Internal: run one WxH:THREADS case and print raw figures")
      ->group("");
  sub->callback([o, threads, &global] {
    if (threads->count() == 0 && global.threads > 0) o->threads = std::to_string(global.threads);
    bench(*o);
  });
}

}  // namespace vaec::cli
