#include "support/test_support.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vaec::test {
namespace fs = std::filesystem;

namespace {
uint32_t next_random(uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}
}  // namespace

Frame make_frame(int width, int height, int index) {
  Frame f;
  f.allocate(width, height);
  uint32_t state = 12345u + uint32_t(index) * 7919u;
  for (int p = 0; p < 3; ++p) {
    int w = f.plane_width(p), h = f.plane_height(p);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        int v = (p == 0) ? (x * 3 + y * 2 + index * 5) % 200 + 20 : 128 + ((x - y + index) % 40) - 20;
        if (((x + index) / 8 + y / 8) % 2 == 0 && p == 0) v += 30;
        v += int(next_random(state) % 9) - 4;
        f.planes[p][size_t(y) * w + x] = uint8_t(std::clamp(v, 0, 255));
      }
  }
  return f;
}

Frame add_noise(const Frame& frame, int amplitude, uint32_t seed) {
  Frame out = frame;
  uint32_t state = seed;
  for (auto& plane : out.planes)
    for (auto& s : plane) {
      int d = int(next_random(state) % uint32_t(2 * amplitude + 1)) - amplitude;
      s = uint8_t(std::clamp(int(s) + d, 0, 255));
    }
  return out;
}

TempDir::TempDir() {
  std::string base = std::string(VAEC_BINARY_DIR) + "/test-tmp";
  fs::create_directories(base);
  std::string pattern = base + "/XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw std::runtime_error("cannot create a temporary directory");
  dir_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

CommandResult run(const std::string& command_line) {
  CommandResult r;
  std::string cmd = command_line + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string sample_path() { return std::string(VAEC_SOURCE_DIR) + "/samples/balle.mp4"; }

bool file_exists(const std::string& path) { return fs::exists(path); }

int64_t file_size(const std::string& path) {
  std::error_code ec;
  auto s = fs::file_size(path, ec);
  return ec ? -1 : int64_t(s);
}

int count_entries(const std::string& dir) {
  return int(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

void write_y4m(const std::string& path, int width, int height, int frames, int seed) {
  std::ofstream out(path, std::ios::binary);
  out << "YUV4MPEG2 W" << width << " H" << height << " F25:1 Ip A1:1 C420jpeg\n";
  for (int i = 0; i < frames; ++i) {
    const Frame f = make_frame(width, height, seed + i);
    out << "FRAME\n";
    for (const auto& p : f.planes) out.write(reinterpret_cast<const char*>(p.data()), std::streamsize(p.size()));
  }
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace vaec::test
