#include "common/allocator.h"

#include <malloc.h>

#include <mutex>

namespace vaec {

void keep_large_buffers_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest: a 1080p layer (33.4 MB) still fits
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  });
}

}  // namespace vaec
