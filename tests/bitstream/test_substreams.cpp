// Framing several sub-streams in one frame payload.
#include <catch2/catch.hpp>

#include "bitstream/substreams.h"

using namespace vaec;
using namespace vaec::bitstream;

TEST_CASE("sub-streams round-trip, including empty and long ones", "[substreams]") {
  const std::vector<std::vector<uint8_t>> parts = {{}, {1, 2, 3}, std::vector<uint8_t>(300, 7),
                                                   std::vector<uint8_t>(70000, 9)};
  std::vector<uint8_t> payload;
  for (const auto& p : parts) append_substream(p.data(), p.size(), &payload);
  SubstreamReader reader(payload.data(), payload.size());
  for (const auto& p : parts) {
    const uint8_t* data = nullptr;
    size_t size = 0;
    REQUIRE(reader.next(&data, &size).ok());
    CHECK(std::vector<uint8_t>(data, data + size) == p);
  }
  CHECK(reader.done());
  const uint8_t* data;
  size_t size;
  CHECK(reader.next(&data, &size).code() == StatusCode::kTruncated);
}

TEST_CASE("sub-stream reader rejects truncated and malformed lengths", "[substreams]") {
  std::vector<uint8_t> payload;
  const std::vector<uint8_t> part(200, 1);
  append_substream(part.data(), part.size(), &payload);
  const uint8_t* data;
  size_t size;
  for (size_t len = 1; len < payload.size(); ++len) {
    SubstreamReader r(payload.data(), len);
    CHECK_FALSE(r.next(&data, &size).ok());
  }
  const uint8_t overlong[] = {0x80, 0x00};  // non-canonical zero
  SubstreamReader r1(overlong, 2);
  CHECK(r1.next(&data, &size).code() == StatusCode::kCorruptData);
  const uint8_t six[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x01};
  SubstreamReader r2(six, 6);
  CHECK(r2.next(&data, &size).code() == StatusCode::kCorruptData);
}
