// rANS decoder. Every read is bounds-checked and every state stays in [L, 2^63) whatever the
// input, so malformed streams end in an error status, never in undefined behaviour.
#include <cstring>
#include <memory>
#include <limits>

#include "entropy/byte_io.h"
#include "entropy/rans.h"
#include "entropy/rans_internal.h"

namespace vaec::entropy {
namespace {

using detail::kRansL;

class WordSource {
 public:
  WordSource(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}

  // Brings x back to [L, 2^63) after a decode step; false when the stream ran out.
  bool renorm(uint64_t* x) {
    if (*x >= kRansL) return true;
    if (end_ - p_ < 4) return false;
    *x = (*x << 32) | load_le32(p_);
    p_ += 4;
    return true;
  }

  bool get_bits(uint64_t* x, int bits, uint32_t* value) {
    const int shift = kCdfPrecisionBits - bits;
    const uint32_t slot = uint32_t(*x) & (kCdfTotal - 1);
    *value = slot >> shift;
    *x = ((*x >> kCdfPrecisionBits) << shift) + (slot & ((1u << shift) - 1));
    return renorm(x);
  }

  bool exhausted() const { return p_ == end_; }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

const Status kTruncatedStream(StatusCode::kTruncated, "rANS: stream ended early");
const Status kCorruptStream(StatusCode::kCorruptData, "rANS: corrupt stream");

Status get_escape_payload(WordSource* src, uint64_t* x, const CdfTableSet::TableInfo& t,
                          int32_t* value) {
  uint32_t header, low = 0, high = 0;
  if (!src->get_bits(x, detail::kEscapeHeaderBits, &header)) return kTruncatedStream;
  const int k = int(header & 31);
  if (k > detail::kBypassChunkBits) {
    if (!src->get_bits(x, 16, &low) || !src->get_bits(x, k - 16, &high)) return kTruncatedStream;
  } else if (k > 0) {
    if (!src->get_bits(x, k, &low)) return kTruncatedStream;
  }
  const uint64_t u = (uint64_t(1) << k) | (uint64_t(high) << 16) | low;  // m + 1
  const int64_t v = (header >> 5) == 0
                        ? int64_t(t.offset) - int64_t(u)
                        : int64_t(t.offset) + int64_t(t.escape) - 1 + int64_t(u);
  // The encoder escapes only values outside the table, and they must fit in int32.
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max() ||
      (v >= t.offset && v < int64_t(t.offset) + int64_t(t.escape)))
    return kCorruptStream;
  *value = int32_t(v);
  return OkStatus();
}

// Decodes one symbol with lane state *x and table `index` (checked) into *value.
inline Status decode_symbol(const CdfTableSet& tables, WordSource* src, uint64_t* x, int32_t index, int32_t* value) {
  if (uint32_t(index) >= uint32_t(tables.size()))
    return Status(StatusCode::kInvalidArgument, "dec_rans: cdf index out of range");
  const CdfTableSet::TableInfo& t = tables.info()[index];
  const uint32_t* cdf = tables.cdf() + t.cdf_base;
  const uint32_t slot = uint32_t(*x) & (kCdfTotal - 1);
  uint32_t s = tables.lut()[t.lut_base + (slot >> t.lut_shift)];
  while (cdf[s + 1] <= slot) ++s;  // stops at the escape at the latest: cdf[last] == 2^16
  *x = uint64_t(cdf[s + 1] - cdf[s]) * (*x >> kCdfPrecisionBits) + (slot - cdf[s]);
  if (!src->renorm(x)) return kTruncatedStream;
  if (s != t.escape) {
    *value = t.offset + int32_t(s);
    return OkStatus();
  }
  return get_escape_payload(src, x, t, value);
}

template <int L>
Status decode_lanes(const CdfTableSet& tables, const uint8_t* data, size_t size,
                    const int32_t* cdf_index, size_t n, int32_t* values) {
  if (size < size_t(L) * 8) return kTruncatedStream;
  uint64_t state[L];
  for (int l = 0; l < L; ++l) {
    state[l] = load_le64(data + 8 * l);
    if (state[l] < kRansL || (state[l] >> 63) != 0) return kCorruptStream;
  }
  WordSource src(data + size_t(L) * 8, data + size);
  for (size_t i = 0; i < n; ++i)
    VAEC_RETURN_IF_ERROR(decode_symbol(tables, &src, &state[i % L], cdf_index[i], &values[i]));
  // A valid stream returns every lane to the encoder's initial state and uses every byte.
  for (int l = 0; l < L; ++l)
    if (state[l] != kRansL) return kCorruptStream;
  if (!src.exhausted()) return kCorruptStream;
  return OkStatus();
}

}  // namespace

Status dec_rans(const CdfTableSet& tables, const uint8_t* data, size_t size,
                const int32_t* cdf_index, size_t n, int32_t* values) {
  return dec_rans(tables, data, size, cdf_index, n, rans_lanes(n), values);
}

Status dec_rans(const CdfTableSet& tables, const uint8_t* data, size_t size, const int32_t* cdf_index, size_t n,
                int lanes, int32_t* values) {
  if (lanes != 1 && lanes != kRansLanes) return Status(StatusCode::kInvalidArgument, "dec_rans: lanes must be 1 or 8");
  if ((data == nullptr && size > 0) || (n > 0 && (cdf_index == nullptr || values == nullptr)))
    return Status(StatusCode::kInvalidArgument, "dec_rans: null argument");
  if (tables.size() == 0) return Status(StatusCode::kInvalidArgument, "dec_rans: empty tables");
  if (lanes == kRansLanes)
    return decode_lanes<kRansLanes>(tables, data, size, cdf_index, n, values);
  return decode_lanes<1>(tables, data, size, cdf_index, n, values);
}

struct RansReader::Source : WordSource {
  using WordSource::WordSource;
};

RansReader::RansReader(const CdfTableSet& tables, const uint8_t* data, size_t size) : tables_(tables) {
  if (data == nullptr || size < 8) {
    status_ = kTruncatedStream;
    return;
  }
  state_ = load_le64(data);
  if (state_ < kRansL || (state_ >> 63) != 0) {
    status_ = kCorruptStream;
    return;
  }
  source_ = std::make_unique<Source>(data + 8, data + size);
}

RansReader::~RansReader() = default;

Status RansReader::next(int32_t cdf_index, int32_t* value) {
  if (status_.ok()) status_ = decode_symbol(tables_, source_.get(), &state_, cdf_index, value);
  return status_;
}

Status RansReader::finish() const {
  if (!status_.ok()) return status_;
  if (state_ != kRansL || !source_->exhausted()) return kCorruptStream;
  return OkStatus();
}

}  // namespace vaec::entropy
