#include "entropy/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vaec {

uint64_t xxh3_64(const void* data, size_t size) { return XXH3_64bits(data, size); }

}  // namespace vaec
