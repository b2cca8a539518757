// Output files appear whole or not at all: write to a temporary name beside the target,
// rename over it when complete, remove the temporary otherwise.
#pragma once

#include <string>

namespace vaec::io {

class AtomicFile {
 public:
  // Picks a temporary path in the target's directory; nothing is created yet.
  explicit AtomicFile(std::string target);
  ~AtomicFile();  // removes the temporary unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& target() const { return target_; }
  // Renames the temporary over the target. Throws IoError on failure.
  void commit();
  // Fails early, before any work, when the target's directory is not writable.
  static void check_writable(const std::string& target);

 private:
  std::string target_;
  std::string temp_;
  bool committed_ = false;
};

// Removes every temporary that is still pending. The CLI calls it from its SIGINT/SIGTERM
// handler, so it only unlinks and never blocks.
void remove_pending_temporaries();

}  // namespace vaec::io
