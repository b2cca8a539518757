#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace vaec::cli {

Progress::Progress(std::string label, int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      enabled_(!quiet && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  // Redraw at most ~8 times a second, always on the last frame.
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(120) && done != total_) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double fps = seconds > 0 ? double(done) / seconds : 0;
  if (total_ > 0) {
    double eta = fps > 0 ? double(total_ - done) / fps : 0;
    std::fprintf(stderr, "\r%s: %lld/%lld frames, %.1f fps, ETA %02d:%02d   ", label_.c_str(),
                 (long long)done, (long long)total_, fps, int(eta) / 60, int(eta) % 60);
  } else {
    std::fprintf(stderr, "\r%s: %lld frames, %.1f fps   ", label_.c_str(), (long long)done, fps);
  }
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace vaec::cli
