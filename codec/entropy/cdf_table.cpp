#include "entropy/cdf_table.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <queue>
#include <utility>

#include "entropy/byte_io.h"
#include "common/hash.h"
#include "entropy/rans_internal.h"

namespace vaec::entropy {
namespace {

int ceil_log2(uint32_t v) {
  int bits = 0;
  while ((uint64_t(1) << bits) < v) ++bits;
  return bits;
}

// Adds (step = +1) or removes (step = -1) |diff| frequency units, each time where it costs the
// fewest expected bits. The first-order cost of moving f_i by one is p_i / (f_i ± ½); ties go
// to the lower index so the result is fully determined.
void distribute_rounding(const std::vector<double>& p, int64_t diff, std::vector<uint32_t>* f) {
  using Entry = std::pair<double, uint32_t>;  // (score, symbol)
  const int step = diff > 0 ? 1 : -1;
  auto score = [&](uint32_t i) {
    // Adding: best is the largest gain. Removing: best is the smallest loss; negate it.
    return step > 0 ? p[i] / (double((*f)[i]) + 0.5) : -(p[i] / (double((*f)[i]) - 0.5));
  };
  auto worse = [](const Entry& a, const Entry& b) {
    return a.first < b.first || (a.first == b.first && a.second > b.second);
  };
  std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> heap(worse);
  for (uint32_t i = 0; i < f->size(); ++i)
    if (step > 0 || (*f)[i] > 1) heap.push({score(i), i});
  for (int64_t left = diff > 0 ? diff : -diff; left > 0; --left) {
    const uint32_t i = heap.top().second;
    heap.pop();
    (*f)[i] += step;
    if (step > 0 || (*f)[i] > 1) heap.push({score(i), i});
  }
}

void init_enc_symbol(uint32_t start, uint32_t freq, CdfTableSet::EncSymbol* s) {
  s->freq = freq;
  s->cmpl_freq = kCdfTotal - freq;
  if (freq == 1) {
    // q = floor(x * (2^64-1) / 2^64) = x - 1, and x + bias + (x-1) * (M-1) = x*M + start.
    s->rcp_freq = ~uint64_t(0);
    s->rcp_shift = 0;
    s->bias = start + kCdfTotal - 1;
  } else {
    // rcp = ceil(2^(shift+63) / freq) with 2^(shift-1) < freq <= 2^shift: then
    // (x * rcp) >> (64 + shift - 1) == x / freq for every x < 2^63 (Granlund-Montgomery).
    const int shift = ceil_log2(freq);
    const unsigned __int128 one = 1;
    s->rcp_freq = uint64_t(((one << (shift + 63)) + freq - 1) / freq);
    s->rcp_shift = uint32_t(shift - 1);
    s->bias = start;
  }
}

constexpr uint8_t kSetMagic[4] = {'V', 'C', 'D', 'F'};
constexpr uint8_t kSetVersion = 1;

}  // namespace

double CdfTable::code_length(int64_t v) const {
  const int64_t s = v - offset;
  if (s >= 0 && s < num_values()) return -std::log2(double(freq[size_t(s)]) / kCdfTotal);
  const int64_t u = s < 0 ? -s : s - num_values() + 1;  // distance past the edge, >= 1
  int k = 0;
  while ((u >> (k + 1)) != 0) ++k;
  return -std::log2(double(freq[size_t(escape_symbol())]) / kCdfTotal) + detail::kEscapeHeaderBits + k;
}

Status CdfTable::validate() const {
  if (freq.size() < 2 || freq.size() > size_t(kMaxTableSymbols))
    return Status(StatusCode::kInvalidArgument, "CDF table: symbol count out of range");
  uint32_t sum = 0;
  for (uint16_t f : freq) {
    if (f == 0) return Status(StatusCode::kInvalidArgument, "CDF table: zero frequency");
    sum += f;
  }
  if (sum != kCdfTotal)
    return Status(StatusCode::kInvalidArgument, "CDF table: frequencies do not sum to 2^16");
  if (int64_t(offset) + num_values() - 1 > std::numeric_limits<int32_t>::max())
    return Status(StatusCode::kInvalidArgument, "CDF table: value range overflows int32");
  return OkStatus();
}

Status CdfTable::from_pmf(const double* pmf, size_t n, int32_t offset, CdfTable* out) {
  if (n == 0 || n >= size_t(kMaxTableSymbols))
    return Status(StatusCode::kInvalidArgument, "from_pmf: pmf length out of range");
  if (int64_t(offset) + int64_t(n) - 1 > std::numeric_limits<int32_t>::max())
    return Status(StatusCode::kInvalidArgument, "from_pmf: value range overflows int32");
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!(pmf[i] >= 0.0) || !std::isfinite(pmf[i]))
      return Status(StatusCode::kInvalidArgument, "from_pmf: pmf entry negative or not finite");
    sum += pmf[i];
  }
  if (!std::isfinite(sum)) return Status(StatusCode::kInvalidArgument, "from_pmf: pmf sum overflows");
  const double escape = sum < 1.0 ? 1.0 - sum : 0.0;
  const double total = sum + escape;

  std::vector<double> p(n + 1);
  for (size_t i = 0; i < n; ++i) p[i] = pmf[i] / total;
  p[n] = escape / total;

  std::vector<uint32_t> f(n + 1);
  int64_t assigned = 0;
  for (size_t i = 0; i <= n; ++i) {
    const double scaled = std::floor(p[i] * double(kCdfTotal) + 0.5);
    f[i] = scaled < 1.0 ? 1u : uint32_t(scaled);
    assigned += f[i];
  }
  distribute_rounding(p, int64_t(kCdfTotal) - assigned, &f);

  out->offset = offset;
  out->freq.assign(f.begin(), f.end());
  return out->validate();
}

Status CdfTableSet::create(std::vector<CdfTable> tables, CdfTableSet* out) {
  if (tables.empty() || tables.size() > size_t(kMaxTables))
    return Status(StatusCode::kInvalidArgument, "CDF table set: table count out of range");
  CdfTableSet set;
  for (const CdfTable& t : tables) {
    VAEC_RETURN_IF_ERROR(t.validate());
    const uint32_t nsym = uint32_t(t.num_symbols());
    const int lut_bits = std::min(12, std::max(2, ceil_log2(nsym) + 2));
    TableInfo info;
    info.offset = t.offset;
    info.escape = nsym - 1;
    info.cdf_base = uint32_t(set.cdf_.size());
    info.enc_base = uint32_t(set.enc_.size());
    info.lut_base = uint32_t(set.lut_.size());
    info.lut_shift = uint32_t(kCdfPrecisionBits - lut_bits);
    set.info_.push_back(info);

    uint32_t start = 0;
    for (uint32_t s = 0; s < nsym; ++s) {
      set.cdf_.push_back(start);
      CdfTableSet::EncSymbol e;
      init_enc_symbol(start, t.freq[s], &e);
      set.enc_.push_back(e);
      start += t.freq[s];
    }
    set.cdf_.push_back(start);  // == kCdfTotal

    // lut[j] = the symbol holding slot j << lut_shift; the decoder scans forward from there.
    const uint32_t* cdf = set.cdf_.data() + info.cdf_base;
    uint32_t s = 0;
    for (uint32_t j = 0; j < (1u << lut_bits); ++j) {
      const uint32_t slot = j << info.lut_shift;
      while (cdf[s + 1] <= slot) ++s;
      set.lut_.push_back(uint16_t(s));
    }
  }
  set.tables_ = std::move(tables);
  *out = std::move(set);
  return OkStatus();
}

std::vector<uint8_t> CdfTableSet::serialize() const {
  std::vector<uint8_t> out(kSetMagic, kSetMagic + 4);
  out.push_back(kSetVersion);
  out.insert(out.end(), 3, 0);
  append_le32(&out, uint32_t(tables_.size()));
  for (const CdfTable& t : tables_) {
    append_le32(&out, uint32_t(t.offset));
    append_le16(&out, uint16_t(t.num_symbols()));  // <= kMaxTableSymbols < 2^16
    for (uint16_t f : t.freq) append_le16(&out, f);
  }
  append_le64(&out, xxh3_64(out.data(), out.size()));
  return out;
}

Status CdfTableSet::deserialize(const uint8_t* data, size_t size, CdfTableSet* out) {
  constexpr size_t kFixed = 4 + 4 + 4 + 8;  // magic, version+reserved, count, checksum
  if (data == nullptr || size < kFixed)
    return Status(StatusCode::kTruncated, "CDF table set: too short");
  if (std::memcmp(data, kSetMagic, 4) != 0)
    return Status(StatusCode::kCorruptData, "CDF table set: bad magic");
  if (xxh3_64(data, size - 8) != load_le64(data + size - 8))
    return Status(StatusCode::kChecksumMismatch, "CDF table set: checksum mismatch");
  if (data[4] != kSetVersion)
    return Status(StatusCode::kUnsupported, "CDF table set: unsupported version");
  if (data[5] != 0 || data[6] != 0 || data[7] != 0)
    return Status(StatusCode::kCorruptData, "CDF table set: reserved bytes not zero");
  const uint32_t count = load_le32(data + 8);
  const uint8_t* p = data + 12;
  const uint8_t* end = data + size - 8;
  // Each table needs at least 6 header bytes plus two frequencies.
  if (count == 0 || count > uint32_t(kMaxTables) || count > size_t(end - p) / 10)
    return Status(StatusCode::kCorruptData, "CDF table set: bad table count");
  std::vector<CdfTable> tables(count);
  for (CdfTable& t : tables) {
    if (end - p < 6) return Status(StatusCode::kTruncated, "CDF table set: truncated table");
    t.offset = int32_t(load_le32(p));
    const uint32_t nsym = load_le16(p + 4);
    p += 6;
    if (nsym < 2 || nsym > uint32_t(kMaxTableSymbols))
      return Status(StatusCode::kCorruptData, "CDF table set: bad symbol count");
    if (size_t(end - p) < size_t(nsym) * 2)
      return Status(StatusCode::kTruncated, "CDF table set: truncated frequencies");
    t.freq.resize(nsym);
    for (uint32_t s = 0; s < nsym; ++s) t.freq[s] = load_le16(p + 2 * s);
    p += 2 * nsym;
    if (!t.validate().ok()) return Status(StatusCode::kCorruptData, "CDF table set: invalid table");
  }
  if (p != end) return Status(StatusCode::kCorruptData, "CDF table set: trailing bytes");
  return create(std::move(tables), out);
}

uint64_t CdfTableSet::fingerprint() const {
  const std::vector<uint8_t> bytes = serialize();
  return xxh3_64(bytes.data(), bytes.size());
}

Status build_factorized_tables(const std::vector<FactorizedPmf>& channels, CdfTableSet* out) {
  if (channels.empty() || channels.size() > size_t(kMaxTables))
    return Status(StatusCode::kInvalidArgument, "factorized tables: channel count out of range");
  std::vector<CdfTable> tables(channels.size());
  for (size_t c = 0; c < channels.size(); ++c)
    VAEC_RETURN_IF_ERROR(CdfTable::from_pmf(channels[c].pmf, channels[c].offset, &tables[c]));
  return CdfTableSet::create(std::move(tables), out);
}

}  // namespace vaec::entropy
