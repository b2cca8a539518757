// CDF table construction, validation and the table-set byte format.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "entropy/cdf_table.h"
#include "entropy/rans_internal.h"

using namespace vaec;
using namespace vaec::entropy;

namespace {

uint32_t sum_freq(const CdfTable& t) {
  uint32_t s = 0;
  for (uint16_t f : t.freq) s += f;
  return s;
}

CdfTableSet make_set(std::vector<CdfTable> tables) {
  CdfTableSet set;
  REQUIRE(CdfTableSet::create(std::move(tables), &set).ok());
  return set;
}

}  // namespace

TEST_CASE("from_pmf quantizes to 2^16 with no zero frequency and an escape", "[cdf]") {
  // Very skewed: tiny probabilities must still get frequency 1.
  std::vector<double> pmf = {1e-12, 0.3, 0.5, 0.19, 1e-9, 0.0};
  CdfTable t;
  REQUIRE(CdfTable::from_pmf(pmf, -2, &t).ok());
  CHECK(t.offset == -2);
  CHECK(t.num_symbols() == 7);
  CHECK(t.num_values() == 6);
  CHECK(sum_freq(t) == kCdfTotal);
  for (uint16_t f : t.freq) CHECK(f >= 1);
  // Large probabilities land within a couple of units of p * 2^16.
  CHECK(std::abs(int(t.freq[2]) - 32768) <= 3);
  CHECK(std::abs(int(t.freq[1]) - 19661) <= 3);
}

TEST_CASE("from_pmf gives the missing mass to the escape symbol", "[cdf]") {
  CdfTable t;
  REQUIRE(CdfTable::from_pmf(std::vector<double>{0.25, 0.25}, 0, &t).ok());
  CHECK(std::abs(int(t.freq[2]) - 32768) <= 1);
  // A pmf summing to more than one is renormalized; the escape keeps frequency 1.
  REQUIRE(CdfTable::from_pmf(std::vector<double>{2.0, 2.0}, 0, &t).ok());
  CHECK(t.freq[2] == 1);
  CHECK(sum_freq(t) == kCdfTotal);
}

TEST_CASE("from_pmf quantization costs little over the ideal code length", "[cdf]") {
  // Geometric-ish pmf over 200 values: cross-entropy of the quantized table vs entropy.
  std::vector<double> pmf(200);
  double z = 0;
  for (size_t i = 0; i < pmf.size(); ++i) z += (pmf[i] = std::exp(-double(i) / 9.0));
  for (double& p : pmf) p /= z;
  CdfTable t;
  REQUIRE(CdfTable::from_pmf(pmf, 0, &t).ok());
  double entropy = 0, cross = 0;
  for (size_t i = 0; i < pmf.size(); ++i) {
    entropy -= pmf[i] * std::log2(pmf[i]);
    cross -= pmf[i] * std::log2(t.freq[i] / double(kCdfTotal));
  }
  CHECK(cross - entropy < 0.002 * entropy);
}

TEST_CASE("from_pmf rejects invalid input", "[cdf]") {
  CdfTable t;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(CdfTable::from_pmf(std::vector<double>{}, 0, &t).code() == StatusCode::kInvalidArgument);
  CHECK(CdfTable::from_pmf(std::vector<double>{0.5, nan}, 0, &t).code() == StatusCode::kInvalidArgument);
  CHECK(CdfTable::from_pmf(std::vector<double>{0.5, inf}, 0, &t).code() == StatusCode::kInvalidArgument);
  CHECK(CdfTable::from_pmf(std::vector<double>{0.5, -0.1}, 0, &t).code() == StatusCode::kInvalidArgument);
  CHECK(CdfTable::from_pmf(std::vector<double>(kMaxTableSymbols, 1.0), 0, &t).code() ==
        StatusCode::kInvalidArgument);
  // offset + n - 1 must fit in int32.
  CHECK(CdfTable::from_pmf(std::vector<double>{0.5, 0.5}, std::numeric_limits<int32_t>::max(), &t)
            .code() == StatusCode::kInvalidArgument);
  CHECK(CdfTable::from_pmf(std::vector<double>{1.0}, std::numeric_limits<int32_t>::max(), &t).ok());
}

TEST_CASE("CdfTable::validate rejects broken tables", "[cdf]") {
  auto table = [](std::vector<uint16_t> freq) {
    CdfTable t;
    t.freq = std::move(freq);
    return t;
  };
  CHECK(table({65535, 1}).validate().ok());
  CHECK_FALSE(table({65535, 0, 1}).validate().ok());
  CHECK_FALSE(table({65535, 2}).validate().ok());
  CHECK_FALSE(table({65535}).validate().ok());
  CdfTableSet set;
  CHECK(CdfTableSet::create({table({65535, 2})}, &set).code() == StatusCode::kInvalidArgument);
  CHECK(CdfTableSet::create({}, &set).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("encoder reciprocals divide exactly for every frequency", "[cdf]") {
  // Every frequency 1..65535 as the first symbol of a two-symbol table; check
  // floor(x / freq) at the edges of the encoder's state range and at random states.
  std::mt19937_64 rng(7);
  for (uint32_t first = 1; first < kCdfTotal; first += kMaxTables) {
    std::vector<CdfTable> tables;
    for (uint32_t f = first; f < std::min<uint32_t>(first + kMaxTables, kCdfTotal); ++f) {
      CdfTable t;
      t.freq = {uint16_t(f), uint16_t(kCdfTotal - f)};
      tables.push_back(t);
    }
    const CdfTableSet set = make_set(tables);
    for (size_t s = 0; s < 2 * set.size(); ++s) {
      const CdfTableSet::EncSymbol& e = set.enc_symbols()[s];
      const uint64_t x_max = uint64_t(e.freq) << detail::kXMaxShift;
      const uint64_t xs[] = {detail::kRansL, x_max - 1, detail::kRansL + rng() % (x_max - detail::kRansL)};
      for (uint64_t x : xs) {
        const uint64_t q = detail::mul_hi64(x, e.rcp_freq) >> e.rcp_shift;
        const uint64_t expect_q = e.freq == 1 ? x - 1 : x / e.freq;  // freq 1 folds into bias
        if (q != expect_q) FAIL("freq " << e.freq << " x " << x);
      }
    }
  }
}

TEST_CASE("table sets round-trip through bytes", "[cdf]") {
  std::vector<FactorizedPmf> channels(3);
  channels[0] = {{0.1, 0.8, 0.1}, -1};
  channels[1] = {{0.5, 0.25, 0.125, 0.0625}, 0};
  channels[2] = {{1.0}, 1000};
  CdfTableSet set;
  REQUIRE(build_factorized_tables(channels, &set).ok());
  const std::vector<uint8_t> bytes = set.serialize();
  CdfTableSet loaded;
  REQUIRE(CdfTableSet::deserialize(bytes.data(), bytes.size(), &loaded).ok());
  REQUIRE(loaded.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(loaded.table(i).offset == set.table(i).offset);
    CHECK(loaded.table(i).freq == set.table(i).freq);
  }
  CHECK(loaded.fingerprint() == set.fingerprint());
}

TEST_CASE("table set loader rejects every corruption and truncation", "[cdf]") {
  std::vector<FactorizedPmf> channels = {{{0.2, 0.6, 0.2}, -1}, {{0.9, 0.1}, 0}};
  CdfTableSet set;
  REQUIRE(build_factorized_tables(channels, &set).ok());
  const std::vector<uint8_t> bytes = set.serialize();
  CdfTableSet loaded;
  for (size_t len = 0; len < bytes.size(); ++len)
    CHECK_FALSE(CdfTableSet::deserialize(bytes.data(), len, &loaded).ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= flip;
      CHECK_FALSE(CdfTableSet::deserialize(bad.data(), bad.size(), &loaded).ok());
    }
  }
}

TEST_CASE("factorized builder rejects bad channel lists", "[cdf]") {
  CdfTableSet set;
  CHECK(build_factorized_tables({}, &set).code() == StatusCode::kInvalidArgument);
  CHECK(build_factorized_tables({{{-1.0}, 0}}, &set).code() == StatusCode::kInvalidArgument);
}
