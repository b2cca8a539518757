#include "common/hash.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace vaec {

uint64_t xxh3_64(const void* data, size_t size) { return XXH3_64bits(data, size); }

uint64_t xxh3_64_seeded(const void* data, size_t size, uint64_t seed) {
  return XXH3_64bits_withSeed(data, size, seed);
}

ModelHash compute_model_hash(const uint8_t* data, size_t size) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(data, size));
  ModelHash h;
  std::memcpy(h.data(), c.digest, h.size());
  return h;
}

std::string hash_hex(const ModelHash& hash) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : hash) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

}  // namespace vaec
