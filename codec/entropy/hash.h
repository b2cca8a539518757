// XXH3 hashes used for checksums and fingerprints (xxHash, header-only build).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vaec {

uint64_t xxh3_64(const void* data, size_t size);

}  // namespace vaec
