// A one-line progress meter on stderr: frames done/total, fps, ETA.
// Silent when stderr is not a terminal, or when asked to be quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vaec::cli {

class Progress {
 public:
  // total < 0 when unknown (no ETA then).
  Progress(std::string label, int64_t total, bool quiet);
  ~Progress();  // finishes the line if anything was drawn

  void update(int64_t done);
  void finish();

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace vaec::cli
