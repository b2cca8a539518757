// rANS round trips (random symbols and tables, bypass extremes) and malformed-stream handling.
#include <catch2/catch.hpp>

#include <limits>
#include <random>

#include "entropy/gaussian_tables.h"
#include "entropy/rans.h"

using namespace vaec;
using namespace vaec::entropy;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

CdfTableSet gaussian_set() {
  CdfTableSet set;
  REQUIRE(build_gaussian_tables(&set).ok());
  return set;
}

// Random tables with random offsets, including ones touching the int32 limits.
CdfTableSet random_set(std::mt19937& rng, int count) {
  std::vector<FactorizedPmf> channels(static_cast<size_t>(count));
  for (int c = 0; c < count; ++c) {
    const int n = 1 + int(rng() % 40);
    channels[size_t(c)].pmf.resize(size_t(n));
    for (double& p : channels[size_t(c)].pmf) p = (rng() % 1000) / 1000.0 * (rng() % 3 ? 1 : 1e-7);
    channels[size_t(c)].pmf[rng() % size_t(n)] += 0.1;
    channels[size_t(c)].offset = c == 0 ? kMin : c == 1 ? kMax - (n - 1) : int32_t(rng() % 200) - 100;
  }
  CdfTableSet set;
  REQUIRE(build_factorized_tables(channels, &set).ok());
  return set;
}

// Mostly in the table's range, sometimes just outside it, sometimes anywhere in int32.
int32_t random_value(std::mt19937& rng, const CdfTable& t) {
  const uint32_t r = rng() % 100;
  if (r < 90) return t.offset + int32_t(rng() % uint32_t(t.num_values()));
  if (r < 97) {
    const int64_t below = int64_t(t.offset) - 1, above = int64_t(t.offset) + t.num_values();
    const bool use_below = (rng() % 2 && below >= kMin) || above > kMax;
    return int32_t(use_below ? below : above);
  }
  return int32_t(rng());
}

std::vector<int32_t> roundtrip(const CdfTableSet& set, const std::vector<int32_t>& values,
                               const std::vector<int32_t>& index, std::vector<uint8_t>* bytes) {
  REQUIRE(enc_rans(set, values.data(), index.data(), values.size(), bytes).ok());
  std::vector<int32_t> decoded(values.size(), 12345);
  const Status st = dec_rans(set, bytes->data(), bytes->size(), index.data(), index.size(), decoded.data());
  INFO(st.message());
  REQUIRE(st.ok());
  return decoded;
}

}  // namespace

TEST_CASE("rANS round-trips random symbols with random CDF indices", "[rans]") {
  std::mt19937 rng(1);
  const CdfTableSet set = random_set(rng, 50);
  for (size_t n : {size_t(0), size_t(1), size_t(7), kRansInterleaveMinSymbols - 1,
                   kRansInterleaveMinSymbols, size_t(1001), size_t(100000)}) {
    std::vector<int32_t> values(n), index(n);
    for (size_t i = 0; i < n; ++i) {
      index[i] = int32_t(rng() % set.size());
      values[i] = random_value(rng, set.table(size_t(index[i])));
    }
    std::vector<uint8_t> bytes;
    INFO("n = " << n);
    CHECK(roundtrip(set, values, index, &bytes) == values);
    if (n == 0) CHECK(bytes.size() == 8);
  }
}

TEST_CASE("rANS codes extreme int32 values exactly through the bypass", "[rans]") {
  const CdfTableSet set = gaussian_set();
  std::vector<int32_t> values = {kMin, kMax, kMin + 1, kMax - 1, 0, -1, 1, 65535, 65536, -65536,
                                 -65537, 1 << 30, -(1 << 30)};
  for (int r : {1, 2, 5, 6, 1280, 1281}) {  // around table edges
    values.push_back(r);
    values.push_back(-r);
  }
  for (int k = 0; k < 32; ++k) {  // every bypass length
    values.push_back(int32_t(uint32_t(1) << k));
    values.push_back(int32_t(-(int64_t(1) << k) + 1));
  }
  for (int32_t table : {0, 31, 63}) {
    const std::vector<int32_t> index(values.size(), table);
    std::vector<uint8_t> bytes;
    CHECK(roundtrip(set, values, index, &bytes) == values);
    // Same values, interleaved path.
    std::vector<int32_t> many, many_index;
    for (int rep = 0; rep < 20; ++rep) many.insert(many.end(), values.begin(), values.end());
    many_index.assign(many.size(), table);
    CHECK(roundtrip(set, many, many_index, &bytes) == many);
  }
}

TEST_CASE("rANS rejects CDF indices outside the table set", "[rans]") {
  const CdfTableSet set = gaussian_set();
  const std::vector<int32_t> values = {0, 1, 2};
  std::vector<int32_t> index = {0, 64, 1};
  std::vector<uint8_t> bytes;
  CHECK(enc_rans(set, values.data(), index.data(), 3, &bytes).code() == StatusCode::kInvalidArgument);
  index = {0, 1, 2};
  REQUIRE(enc_rans(set, values.data(), index.data(), 3, &bytes).ok());
  int32_t out[3];
  index[2] = -1;
  CHECK(dec_rans(set, bytes.data(), bytes.size(), index.data(), 3, out).code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("rANS decoder reports every truncation and trailing byte", "[rans]") {
  const CdfTableSet set = gaussian_set();
  std::mt19937 rng(3);
  for (size_t n : {size_t(40), size_t(600)}) {
    std::vector<int32_t> values(n), index(n), out(n);
    for (size_t i = 0; i < n; ++i) {
      index[i] = int32_t(rng() % 64);
      values[i] = int32_t(rng() % 200) - 100;
    }
    std::vector<uint8_t> bytes;
    REQUIRE(enc_rans(set, values.data(), index.data(), n, &bytes).ok());
    for (size_t len = 0; len < bytes.size(); ++len)
      CHECK_FALSE(dec_rans(set, bytes.data(), len, index.data(), n, out.data()).ok());
    bytes.push_back(0);
    CHECK(dec_rans(set, bytes.data(), bytes.size(), index.data(), n, out.data()).code() ==
          StatusCode::kCorruptData);
  }
}

TEST_CASE("rANS decoder survives arbitrary corruption", "[rans]") {
  // Corrupt bytes may decode to other values, but must never crash (run under ASan/UBSan)
  // and must be detected when the final-state check sees the desync.
  const CdfTableSet set = gaussian_set();
  std::mt19937 rng(4);
  const size_t n = 300;
  std::vector<int32_t> values(n), index(n), out(n);
  for (size_t i = 0; i < n; ++i) {
    index[i] = int32_t(rng() % 64);
    values[i] = int32_t(rng() % 50) - 25;
  }
  std::vector<uint8_t> bytes;
  REQUIRE(enc_rans(set, values.data(), index.data(), n, &bytes).ok());
  int detected = 0, total = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= uint8_t(1 + rng() % 255);
    ++total;
    if (!dec_rans(set, bad.data(), bad.size(), index.data(), n, out.data()).ok() || out != values)
      ++detected;
  }
  CHECK(detected == total);
  // Random garbage of many lengths.
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> junk(rng() % 200);
    for (uint8_t& b : junk) b = uint8_t(rng());
    (void)dec_rans(set, junk.data(), junk.size(), index.data(), n, out.data());
  }
}

TEST_CASE("RansReader decodes a one-lane stream symbol by symbol as dec_rans does", "[rans]") {
  const CdfTableSet set = gaussian_set();
  std::mt19937 rng(5);
  for (size_t n : {size_t(1), size_t(40), size_t(3000)}) {  // 3000: one lane although long
    std::vector<int32_t> values(n), index(n), out(n);
    for (size_t i = 0; i < n; ++i) {
      index[i] = int32_t(rng() % 64);
      values[i] = i % 97 == 0 ? int32_t(rng()) : int32_t(rng() % 60) - 30;  // some escapes
    }
    std::vector<uint8_t> bytes;
    REQUIRE(enc_rans(set, values.data(), index.data(), n, 1, &bytes).ok());
    REQUIRE(dec_rans(set, bytes.data(), bytes.size(), index.data(), n, 1, out.data()).ok());
    CHECK(out == values);
    RansReader reader(set, bytes.data(), bytes.size());
    for (size_t i = 0; i < n; ++i) REQUIRE(reader.next(index[i], &out[i]).ok());
    CHECK(reader.finish().ok());
    CHECK(out == values);
    // Stopping early or reading on is detected; so is every truncation.
    RansReader early(set, bytes.data(), bytes.size());
    for (size_t i = 0; i + 1 < n; ++i) REQUIRE(early.next(index[i], &out[i]).ok());
    CHECK_FALSE(early.finish().ok());
    for (size_t len = 0; len < bytes.size(); len += 1 + len / 8) {
      RansReader cut(set, bytes.data(), len);
      Status st;
      for (size_t i = 0; i < n && st.ok(); ++i) st = cut.next(index[i], &out[i]);
      CHECK_FALSE((st.ok() && cut.finish().ok()));
    }
  }
  std::vector<uint8_t> bytes;
  const int32_t v = 0, t = 0;
  CHECK(enc_rans(set, &v, &t, 1, 3, &bytes).code() == StatusCode::kInvalidArgument);
}
