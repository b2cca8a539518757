// Damaged files: every single-byte corruption and every truncation of a small valid stream
// must end in an error status (or, for a cut at a record boundary, in a clean end without
// index whose frames are exactly the original ones). Never a crash.
#include <catch2/catch.hpp>

#include "bitstream/dec_container.h"
#include "test_helpers.h"

using namespace vaec;
using namespace vaec::bitstream;

namespace {

struct Outcome {
  Status status;          // the first non-OK status
  std::vector<Packet> packets;
  bool has_index = false;
};

Outcome read_all(const std::vector<uint8_t>& bytes, size_t size) {
  MemorySource src(bytes.data(), size);
  ContainerReader reader(&src);
  Outcome o;
  StreamHeader h;
  o.status = reader.read_header(&h);
  while (o.status.ok()) {
    Packet p;
    o.status = reader.read_packet(&p);
    if (o.status.ok()) o.packets.push_back(std::move(p));
  }
  o.has_index = reader.has_index();
  return o;
}

bool same_prefix(const std::vector<Packet>& got, const std::vector<test::TestFrame>& want) {
  if (got.size() > want.size()) return false;
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i].payload != want[i].payload || got[i].display_index != want[i].display_index ||
        got[i].type != want[i].type)
      return false;
  return true;
}

}  // namespace

TEST_CASE("every single-byte corruption of a small file is reported", "[container][damage]") {
  StreamHeader h = test::small_header();
  h.frame_count = 5;
  const auto frames = test::make_frames(5, h.gop, 9);
  const std::vector<uint8_t> good = test::write_stream(h, frames);
  REQUIRE(good.size() > 200);
  REQUIRE(read_all(good, good.size()).has_index);
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t flip : {0x01, 0x10, 0x80, 0xFF}) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= flip;
      const Outcome o = read_all(bad, bad.size());
      INFO("byte " << i << " xor " << int(flip));
      CHECK(o.status.code() != StatusCode::kEndOfStream);
      CHECK(same_prefix(o.packets, frames));
    }
  }
}

TEST_CASE("truncation at every byte gives a clean error or a clean early end", "[container][damage]") {
  const StreamHeader h = test::small_header();
  const auto frames = test::make_frames(6, h.gop, 10);
  const std::vector<uint8_t> good = test::write_stream(h, frames);
  // Record boundaries: where a cut stream is a valid stream without index.
  std::vector<size_t> boundaries = {kHeaderSizeV1};
  for (const auto& f : frames) boundaries.push_back(boundaries.back() + kPacketHeaderSize + f.payload.size());
  for (size_t len = 0; len < good.size(); ++len) {
    const Outcome o = read_all(good, len);
    INFO("length " << len);
    CHECK_FALSE(o.has_index);
    CHECK(same_prefix(o.packets, frames));
    const bool at_boundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    if (at_boundary) {
      CHECK(o.status.code() == StatusCode::kEndOfStream);
      CHECK(o.packets.size() == size_t(std::find(boundaries.begin(), boundaries.end(), len) - boundaries.begin()));
    } else {
      CHECK(o.status.code() != StatusCode::kEndOfStream);
      CHECK_FALSE(o.status.ok());
    }
  }
}
