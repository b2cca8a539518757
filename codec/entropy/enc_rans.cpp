// rANS encoder: walks the symbols backwards (rANS is last-in first-out) so that the decoder
// reads forwards; lane i % L codes symbol i, all lanes share one word stream.
#include <utility>
#include <vector>

#include "entropy/byte_io.h"
#include "entropy/rans.h"
#include "entropy/rans_internal.h"

namespace vaec::entropy {
namespace {

using detail::kXMaxShift;

class WordSink {
 public:
  explicit WordSink(size_t expected) { words_.reserve(expected); }

  void put(uint64_t* x, const CdfTableSet::EncSymbol& s) {
    if (*x >= (uint64_t(s.freq) << kXMaxShift)) emit(x);
    const uint64_t q = detail::mul_hi64(*x, s.rcp_freq) >> s.rcp_shift;
    *x += s.bias + q * s.cmpl_freq;
  }

  // A uniform symbol of `bits` bits (1..16): frequency 2^(16-bits), so division is a shift.
  void put_bits(uint64_t* x, uint32_t value, int bits) {
    const int shift = kCdfPrecisionBits - bits;
    if (*x >= (uint64_t(1) << (shift + kXMaxShift))) emit(x);
    *x = ((*x >> shift) << kCdfPrecisionBits) + (*x & ((uint64_t(1) << shift) - 1)) +
         (uint64_t(value) << shift);
  }

  const std::vector<uint32_t>& words() const { return words_; }

 private:
  void emit(uint64_t* x) {
    words_.push_back(uint32_t(*x));
    *x >>= 32;
  }
  std::vector<uint32_t> words_;
};

// Bypass payload of an escaped value (layout in rans_internal.h), pushed in reverse of the
// order the decoder reads it.
void put_escape_payload(WordSink* sink, uint64_t* x, const CdfTableSet::TableInfo& t,
                        int32_t value) {
  const int64_t lo = t.offset;
  const int64_t hi = int64_t(t.offset) + int64_t(t.escape) - 1;
  const uint32_t side = value < lo ? 0 : 1;
  const uint32_t u = uint32_t((side == 0 ? lo - value : int64_t(value) - hi));  // m + 1
  int k = 31;
  while (!(u >> k)) --k;
  if (k > detail::kBypassChunkBits) {
    sink->put_bits(x, (u >> 16) & ((1u << (k - 16)) - 1), k - 16);
    sink->put_bits(x, u & 0xffffu, 16);
  } else if (k > 0) {
    sink->put_bits(x, u & ((1u << k) - 1), k);
  }
  sink->put_bits(x, side * 32 + uint32_t(k), detail::kEscapeHeaderBits);
}

// Encodes one value with lane state x (inlined: the states stay in registers).
inline void encode_one(const CdfTableSet& tables, WordSink* sink, uint64_t& x, int32_t index,
                       int32_t value) {
  const CdfTableSet::TableInfo& t = tables.info()[index];
  const int64_t s = int64_t(value) - t.offset;
  if (s >= 0 && s < int64_t(t.escape)) {
    sink->put(&x, tables.enc_symbols()[t.enc_base + uint32_t(s)]);
    return;
  }
  uint64_t y = x;
  put_escape_payload(sink, &y, t, value);
  sink->put(&y, tables.enc_symbols()[t.enc_base + t.escape]);
  x = y;
}

// One block of L values, last lane first (rANS is last-in first-out).
template <size_t... l>
inline void encode_block(const CdfTableSet& tables, WordSink* sink, uint64_t* state,
                         const int32_t* values, const int32_t* cdf_index, std::index_sequence<l...>) {
  constexpr size_t kLast = sizeof...(l) - 1;
  (encode_one(tables, sink, state[kLast - l], cdf_index[kLast - l], values[kLast - l]), ...);
}

template <int L>
void encode_lanes(const CdfTableSet& tables, const int32_t* values, const int32_t* cdf_index,
                  size_t n, WordSink* sink, uint64_t* state) {
  const size_t full = n - n % L;
  for (size_t i = n; i-- > full;) encode_one(tables, sink, state[i % L], cdf_index[i], values[i]);
  for (size_t i = full; i > 0; i -= L)
    encode_block(tables, sink, state, values + i - L, cdf_index + i - L, std::make_index_sequence<L>());
}

}  // namespace

Status enc_rans(const CdfTableSet& tables, const int32_t* values, const int32_t* cdf_index,
                size_t n, std::vector<uint8_t>* out) {
  return enc_rans(tables, values, cdf_index, n, rans_lanes(n), out);
}

Status enc_rans(const CdfTableSet& tables, const int32_t* values, const int32_t* cdf_index, size_t n, int lanes,
                std::vector<uint8_t>* out) {
  if (lanes != 1 && lanes != kRansLanes) return Status(StatusCode::kInvalidArgument, "enc_rans: lanes must be 1 or 8");
  if (out == nullptr || (n > 0 && (values == nullptr || cdf_index == nullptr)))
    return Status(StatusCode::kInvalidArgument, "enc_rans: null argument");
  const int64_t num_tables = int64_t(tables.size());
  for (size_t i = 0; i < n; ++i)
    if (cdf_index[i] < 0 || cdf_index[i] >= num_tables)
      return Status(StatusCode::kInvalidArgument, "enc_rans: cdf index out of range");

  uint64_t state[kRansLanes];
  for (uint64_t& x : state) x = detail::kRansL;
  WordSink sink(n / 4 + 16);
  if (lanes == kRansLanes)
    encode_lanes<kRansLanes>(tables, values, cdf_index, n, &sink, state);
  else
    encode_lanes<1>(tables, values, cdf_index, n, &sink, state);

  // Final states first, then the words in the order the decoder consumes them.
  const std::vector<uint32_t>& words = sink.words();
  out->resize(size_t(lanes) * 8 + words.size() * 4);
  uint8_t* p = out->data();
  for (int l = 0; l < lanes; ++l, p += 8) store_le64(p, state[l]);
  for (size_t w = words.size(); w-- > 0; p += 4) store_le32(p, words[w]);
  return OkStatus();
}

}  // namespace vaec::entropy
