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
#include <memory>
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

// The same with an explicit lane count (1 or kRansLanes) instead of rans_lanes(n): payloads
// of small streams that are long in symbols but short in bytes use one lane (the lanes' final
// states cost 8 bytes each).
Status enc_rans(const CdfTableSet& tables, const int32_t* values, const int32_t* cdf_index, size_t n, int lanes,
                std::vector<uint8_t>* out);
Status dec_rans(const CdfTableSet& tables, const uint8_t* data, size_t size, const int32_t* cdf_index, size_t n,
                int lanes, int32_t* values);

// Decodes a one-lane stream (enc_rans with lanes = 1) symbol by symbol, for payloads whose
// later tables depend on earlier symbols. Errors are sticky: after the first, every call
// returns it.
class RansReader {
 public:
  RansReader(const CdfTableSet& tables, const uint8_t* data, size_t size);
  ~RansReader();
  RansReader(const RansReader&) = delete;
  RansReader& operator=(const RansReader&) = delete;
  Status next(int32_t cdf_index, int32_t* value);
  // After the last symbol: the stream must be back in its initial state with every byte used.
  Status finish() const;

 private:
  struct Source;
  const CdfTableSet& tables_;
  std::unique_ptr<Source> source_;
  uint64_t state_ = 0;
  Status status_;
};

}  // namespace vaec::entropy
