// The hashes of the codec: XXH3-64 for record checksums, XXH3-128 as a model's identity.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace vaec {

uint64_t xxh3_64(const void* data, size_t size);
// XXH3-64 of `data` seeded with `seed` (packet checksums chain the record header in).
uint64_t xxh3_64_seeded(const void* data, size_t size, uint64_t seed);

// What a stream header records of its model: XXH3-128 of the whole model file's bytes,
// big-endian (the canonical XXH128 byte order).
using ModelHash = std::array<uint8_t, 16>;
ModelHash compute_model_hash(const uint8_t* data, size_t size);

// Lower-case hex, as `vaec info` and error messages print it.
std::string hash_hex(const ModelHash& hash);

}  // namespace vaec
