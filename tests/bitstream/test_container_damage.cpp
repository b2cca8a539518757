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
  std::vector<size_t> boundaries = {kHeaderSize};
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

namespace {

// Reads every record, going on after errors while the reader can: the frames read, and the
// display index of each record reported lost (kUnknownFrame when its header was unreadable).
struct Resumed {
  std::vector<uint64_t> frames, lost;
  bool failed = false, has_index = false;
};

Resumed read_resuming(const std::vector<uint8_t>& bytes) {
  MemorySource src(bytes.data(), bytes.size());
  ContainerReader reader(&src);
  Resumed r;
  StreamHeader h;
  REQUIRE(reader.read_header(&h).ok());
  for (;;) {
    Packet p;
    const Status st = reader.read_packet(&p);
    if (st.code() == StatusCode::kEndOfStream) break;
    if (st.ok()) {
      r.frames.push_back(p.display_index);
      continue;
    }
    r.lost.push_back(p.display_index);
    if (reader.failed()) break;
  }
  r.failed = reader.failed();
  r.has_index = reader.has_index();
  return r;
}

// Byte offset of frame i's record.
size_t record_offset(const std::vector<test::TestFrame>& frames, size_t i) {
  size_t at = kHeaderSize;
  for (size_t k = 0; k < i; ++k) at += kPacketHeaderSize + frames[k].payload.size();
  return at;
}

}  // namespace

TEST_CASE("a record with a bad checksum is lost alone; reading goes on", "[container][damage]") {
  StreamHeader h = test::small_header();
  h.gop = 4;
  const auto frames = test::make_frames(12, h.gop, 5);
  std::vector<uint8_t> bytes = test::write_stream(h, frames);
  bytes[record_offset(frames, 5) + kPacketHeaderSize + 2] ^= 0x40;  // frame 5's payload
  const Resumed r = read_resuming(bytes);
  CHECK(r.lost == std::vector<uint64_t>{5});
  CHECK(r.frames == std::vector<uint64_t>{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11});
  CHECK_FALSE(r.failed);
  CHECK(r.has_index);
}

TEST_CASE("an unreadable record header resumes at the next I-frame of the index", "[container][damage]") {
  StreamHeader h = test::small_header();
  h.gop = 4;
  const auto frames = test::make_frames(12, h.gop, 6);
  std::vector<uint8_t> bytes = test::write_stream(h, frames);
  bytes[record_offset(frames, 4)] = 0x55;  // frame 4's type: no such record type
  Resumed r = read_resuming(bytes);
  CHECK(r.lost == std::vector<uint64_t>{ContainerReader::kUnknownFrame});
  CHECK(r.frames == std::vector<uint64_t>{0, 1, 2, 3, 8, 9, 10, 11});
  CHECK(r.has_index);

  SECTION("after the last I-frame, the readable part ends there") {
    bytes = test::write_stream(h, frames);
    bytes[record_offset(frames, 9)] = 0x55;
    r = read_resuming(bytes);
    CHECK(r.frames == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
    CHECK_FALSE(r.failed);
  }
  SECTION("without an index (a cut stream) there is nowhere to resume: the error is final") {
    bytes = test::write_stream(h, frames);
    bytes.resize(record_offset(frames, 11));  // cut at a record boundary: no index
    bytes[record_offset(frames, 4)] = 0x55;
    r = read_resuming(bytes);
    CHECK(r.frames == std::vector<uint64_t>{0, 1, 2, 3});
    CHECK(r.failed);
  }
}

TEST_CASE("a damaged index is final but costs no frame", "[container][damage]") {
  StreamHeader h = test::small_header();
  h.gop = 4;
  const auto frames = test::make_frames(8, h.gop, 7);
  std::vector<uint8_t> bytes = test::write_stream(h, frames);
  bytes[record_offset(frames, 8) + kPacketHeaderSize + 1] ^= 0x01;
  const Resumed r = read_resuming(bytes);
  CHECK(r.frames.size() == 8);
  CHECK(r.failed);
  CHECK_FALSE(r.has_index);
}
