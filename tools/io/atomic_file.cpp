#include "io/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

#include "io/ffmpeg_error.h"

namespace vaec::io {
namespace {

// Temporaries in flight, so an interrupted run can clean up after itself.
std::mutex& pending_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& pending() {
  static std::set<std::string> s;
  return s;
}

std::string directory_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  // A hidden sibling, so the rename stays within one file system.
  temp_ = directory_of(target_) + "/." + basename_of(target_) + ".part" + std::to_string(::getpid());
  std::lock_guard<std::mutex> lock(pending_mutex());
  pending().insert(temp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
  std::lock_guard<std::mutex> lock(pending_mutex());
  pending().erase(temp_);
}

void AtomicFile::commit() {
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    int err = errno;
    std::remove(temp_.c_str());
    throw IoError(target_ + ": cannot write output (" + std::strerror(err) + ")");
  }
  committed_ = true;
}

void AtomicFile::check_writable(const std::string& target) {
  std::string dir = directory_of(target);
  if (::access(dir.c_str(), W_OK) != 0) {
    int err = errno;
    throw IoError(target + ": cannot write output (" + std::strerror(err) + ")");
  }
}

void remove_pending_temporaries() {
  // Called from a signal handler: never block (the interrupted thread may hold the lock).
  if (!pending_mutex().try_lock()) return;
  for (const auto& path : pending()) ::unlink(path.c_str());
  pending_mutex().unlock();
}

}  // namespace vaec::io
