// Allocator tuning for a process that runs vaec's transforms.
#pragma once

namespace vaec {

// Keeps large freed buffers in the heap (glibc's mallopt: mmap threshold 32 MiB, trim threshold
// 256 MiB), once per process. Each frame allocates and frees the same tensor buffers, and glibc's
// default maps every buffer over 128 KiB afresh and unmaps it on free: ~20 % of a 720p decode
// went to page faults (docs/performance.md). It changes where memory comes from, never what is
// computed. The library calls it when the first context opens (vaec.h says so); `vaec` at start,
// for the subcommands that open none (train).
void keep_large_buffers_once();

}  // namespace vaec
