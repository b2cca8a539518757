#include "cli/input_options.h"

#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "common/limits.h"
#include "io/ffmpeg_error.h"

namespace vaec::cli {

Rational parse_rate(const std::string& text) {
  long long num = 0, den = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%lld/%lld%c", &num, &den, &tail) == 2 && num > 0 && den > 0 &&
      num <= 1000000 && den <= 1000000)
    return Rational{num, den};
  double value = 0;
  if (std::sscanf(text.c_str(), "%lf%c", &value, &tail) == 1 && value > 0 && value <= 1000) {
    // Keep three decimals exactly (29.97 → 2997/100).
    return Rational{std::llround(value * 1000), 1000};
  }
  throw CommandError("invalid frame rate '" + text + "' (use e.g. 25, 29.97 or 30000/1001)");
}

io::RawVideoOptions RawInputOptions::parse() const {
  io::RawVideoOptions raw;
  if (!size.empty()) {
    char tail = 0;
    if (std::sscanf(size.c_str(), "%dx%d%c", &raw.width, &raw.height, &tail) != 2 ||
        raw.width <= 0 || raw.height <= 0 || uint32_t(raw.width) > kMaxDimension ||
        uint32_t(raw.height) > kMaxDimension)
      throw CommandError("invalid --size '" + size + "' (use WxH, e.g. 1280x720, at most 16384)");
  }
  raw.frame_rate = parse_rate(fps);
  return raw;
}

void add_raw_input_options(CLI::App& sub, RawInputOptions& raw) {
  sub.add_option("--size", raw.size, "Frame size of raw .yuv input (or of raw yuv420p on stdin: -), WxH");
  sub.add_option("--fps", raw.fps, "Frame rate of raw .yuv input (e.g. 25, 30000/1001)")
      ->capture_default_str();
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

std::unique_ptr<io::VideoReader> open_input(const std::string& path, const RawInputOptions& raw) {
  try {
    auto reader = io::VideoReader::open(path, raw.parse());
    if (!raw.size.empty() && !reader->info().raw)
      std::fprintf(stderr, "vaec: %s: --size and --fps apply to raw .yuv input only; this file's own %dx%d is used\n",
                   path.c_str(), reader->info().width, reader->info().height);
    return reader;
  } catch (const io::IoError& e) {
    throw CommandError(e.what());
  }
}

}  // namespace vaec::cli
