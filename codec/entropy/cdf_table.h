// Quantized CDF tables for the rANS coder (docs/architecture.md "Decisions").
//
// A table codes the integers offset .. offset + num_values() - 1 directly; any other int32 is
// coded as the table's escape symbol followed by a bypass code (see rans.h), so every int32 is
// representable whatever the table. Frequencies have 16-bit precision: they sum to exactly
// 2^16 and none is zero, so every symbol, the escape included, stays decodable.
//
// Tables are built once (from a PMF, the Gaussian scale table, or the model's factorized
// densities), gathered into a CdfTableSet, and then only read by the coder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"

namespace vaec::entropy {

constexpr int kCdfPrecisionBits = 16;
constexpr uint32_t kCdfTotal = 1u << kCdfPrecisionBits;
// Largest number of symbols in one table, escape included. Bounds memory and the loader.
constexpr int kMaxTableSymbols = 8192;
// Largest number of tables in one set (e.g. factorized channels).
constexpr int kMaxTables = 4096;

struct CdfTable {
  int32_t offset = 0;          // value coded by symbol 0
  std::vector<uint16_t> freq;  // one per symbol, the escape last; each >= 1, sum == 2^16

  int num_symbols() const { return int(freq.size()); }
  int num_values() const { return int(freq.size()) - 1; }  // symbols other than the escape
  int escape_symbol() const { return int(freq.size()) - 1; }

  // Checks the invariants above and that offset + num_values() - 1 fits in int32.
  Status validate() const;

  // Bits the coder spends on value v with this table: -log2 of its frequency, or the escape's
  // plus the bypass code (rans_internal.h). For encoders' rate estimates.
  double code_length(int64_t v) const;

  // Quantizes pmf[i] (the probability of value offset + i) to a table. The escape gets the
  // mass missing from the pmf, max(0, 1 - sum); the whole is renormalized, every symbol gets
  // frequency >= 1, and rounding is distributed to minimise the expected code length.
  // Deterministic: only IEEE +,-,*,/ and comparisons. Fails on NaN/negative/all-zero input,
  // n == 0 or n >= kMaxTableSymbols.
  static Status from_pmf(const double* pmf, size_t n, int32_t offset, CdfTable* out);
  static Status from_pmf(const std::vector<double>& pmf, int32_t offset, CdfTable* out) {
    return from_pmf(pmf.data(), pmf.size(), offset, out);
  }
};

// The density of one channel of a factorized prior, sampled by the model at the integers
// offset, offset + 1, ...; mass outside is the escape's (see CdfTable::from_pmf).
struct FactorizedPmf {
  std::vector<double> pmf;
  int32_t offset = 0;
};

// An immutable set of tables plus the flattened arrays the coder reads. Copyable, movable.
class CdfTableSet {
 public:
  CdfTableSet() = default;

  // Validates every table and builds the coder's lookup structures.
  static Status create(std::vector<CdfTable> tables, CdfTableSet* out);

  size_t size() const { return tables_.size(); }
  const CdfTable& table(size_t i) const { return tables_[i]; }

  // Byte serialization (little-endian, see docs/bitstream.md "CDF table sets"). The loader
  // checks every field, the sizes before allocating, and a trailing XXH3-64 checksum.
  std::vector<uint8_t> serialize() const;
  static Status deserialize(const uint8_t* data, size_t size, CdfTableSet* out);

  // XXH3-64 of the serialized form: pins the exact tables (e.g. in tests and model files).
  uint64_t fingerprint() const;

  // ---- Coder internals (read by enc_rans.cpp / dec_rans.cpp) ----
  struct EncSymbol {  // reciprocal-multiplication encoding, after ryg_rans' rans64
    uint64_t rcp_freq;
    uint32_t freq;
    uint32_t bias;
    uint32_t cmpl_freq;
    uint32_t rcp_shift;
  };
  struct TableInfo {
    int32_t offset;
    uint32_t escape;     // escape symbol index == num_values
    uint32_t cdf_base;   // start of this table in cdf() (num_symbols + 1 entries)
    uint32_t enc_base;   // start in enc_symbols()
    uint32_t lut_base;   // start in lut()
    uint32_t lut_shift;  // lut index = slot >> lut_shift
  };
  const TableInfo* info() const { return info_.data(); }
  const uint32_t* cdf() const { return cdf_.data(); }
  const EncSymbol* enc_symbols() const { return enc_.data(); }
  const uint16_t* lut() const { return lut_.data(); }

 private:
  std::vector<CdfTable> tables_;
  std::vector<TableInfo> info_;
  std::vector<uint32_t> cdf_;
  std::vector<EncSymbol> enc_;
  std::vector<uint16_t> lut_;
};

// One table per channel, in channel order: the set used for the hyperprior's z.
Status build_factorized_tables(const std::vector<FactorizedPmf>& channels, CdfTableSet* out);

}  // namespace vaec::entropy
