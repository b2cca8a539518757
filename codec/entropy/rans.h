// rANS entropy coder over plain integer arrays (docs/architecture.md "Decisions").
//
// values[i] is coded with table cdf_index[i] of a CdfTableSet. Values outside a table's range
// are coded as its escape symbol plus a bypass code, so any int32 round-trips exactly.
// The coder knows nothing about tensors: the model supplies the arrays.
//
// Stream format (docs/bitstream.md "rANS streams"): 64-bit states, 32-bit renormalization
// words, little-endian; symbol i is coded by lane i % L where L = rans_lanes(n) is 1 for short
// streams and kRansLanes otherwise. The stream is the L final encoder states followed by the
// words in decoding order. The decoder checks, at the end, that every lane is back in its
// initial state and that every byte was consumed, which catches most corruption.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/cdf_table.h"
#include "common/status.h"

namespace vaec::entropy {

constexpr int kRansLanes = 8;
// Streams with fewer symbols use a single lane (saves 8 bytes of state per unused lane).
constexpr size_t kRansInterleaveMinSymbols = 256;

inline int rans_lanes(size_t n) { return n >= kRansInterleaveMinSymbols ? kRansLanes : 1; }

// Encodes n symbols into *out (replaced). Fails only on a cdf_index outside tables.
// n == 0 gives a stream holding just the initial state.
Status enc_rans(const CdfTableSet& tables, const int32_t* values, const int32_t* cdf_index,
                size_t n, std::vector<uint8_t>* out);

// Decodes n symbols from data[0..size) into values[0..n). On malformed data returns
// kCorruptData/kTruncated (never reads outside data, never writes outside values) and the
// content of values is unspecified; a cdf_index outside tables gives kInvalidArgument.
Status dec_rans(const CdfTableSet& tables, const uint8_t* data, size_t size,
                const int32_t* cdf_index, size_t n, int32_t* values);

}  // namespace vaec::entropy
