// Helpers shared by the tests: synthetic frames, temporary directories, running the CLI.
#pragma once

#include <cstdint>
#include <string>

#include "common/frame.h"

namespace vaec::test {

// A deterministic, textured picture (gradients, edges and noise) that differs per `index`.
Frame make_frame(int width, int height, int index);

// Adds deterministic noise of amplitude ±`amplitude` to every sample (clamped to 0..255).
Frame add_noise(const Frame& frame, int amplitude, uint32_t seed);
// Writes `frames` frames of make_frame(w, h, seed + i) as a .y4m clip.
void write_y4m(const std::string& path, int width, int height, int frames, int seed);

// A fresh directory under the build tree, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
// Runs a shell command line and captures its output.
CommandResult run(const std::string& command_line);

std::string sample_path();  // samples/balle.mp4 in the source tree
bool file_exists(const std::string& path);
int64_t file_size(const std::string& path);
// Number of entries in a directory (to prove nothing was left behind).
int count_entries(const std::string& dir);

}  // namespace vaec::test
