// Single records: stream header, packet record, index payload, footer.
#include <catch2/catch.hpp>

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "bitstream/container.h"
#include "entropy/byte_io.h"
#include "test_helpers.h"

using namespace vaec;
using namespace vaec::bitstream;

namespace {

// Re-seals a modified header record so that only field validation can reject it.
void reseal(std::vector<uint8_t>* rec) {
  store_le64(rec->data() + rec->size() - 8, XXH3_64bits(rec->data(), rec->size() - 8));
}

}  // namespace

TEST_CASE("stream header round-trips every field", "[container]") {
  StreamHeader h = test::small_header();
  h.frame_count = 1234;
  std::vector<uint8_t> rec;
  REQUIRE(serialize_header(h, &rec).ok());
  CHECK(rec.size() == kHeaderSize);
  CHECK(std::memcmp(rec.data(), kMagic, 8) == 0);
  size_t size = 0;
  REQUIRE(header_record_size(rec.data(), &size).ok());
  CHECK(size == rec.size());
  StreamHeader back;
  REQUIRE(parse_header(rec.data(), rec.size(), &back).ok());
  CHECK(back == h);
}

TEST_CASE("the 4.1 header records the preset; a 4.0 header (72 bytes, none) still reads", "[container]") {
  StreamHeader h = test::small_header();
  h.preset = 3;
  std::vector<uint8_t> rec;
  REQUIRE(serialize_header(h, &rec).ok());
  CHECK(rec.size() == 80);
  CHECK(rec[64] == 3);
  StreamHeader back;
  REQUIRE(parse_header(rec.data(), rec.size(), &back).ok());
  CHECK(int(back.preset) == 3);
  CHECK(back.version_minor == 2);

  // What a 4.0 writer made: no preset, checksum at 64.
  std::vector<uint8_t> old(rec.begin(), rec.begin() + 72);
  store_le16(old.data() + 10, 0);
  store_le32(old.data() + 12, 72);
  reseal(&old);
  size_t size = 0;
  REQUIRE(header_record_size(old.data(), &size).ok());
  CHECK(size == 72);
  REQUIRE(parse_header(old.data(), old.size(), &back).ok());
  CHECK(int(back.preset) == 0);
  CHECK(back.width == h.width);

  // A header size under 72 is no header.
  store_le32(old.data() + 12, 64);
  CHECK_FALSE(header_record_size(old.data(), &size).ok());
}

TEST_CASE("the 4.2 header records a segment's first source frame; 4.1 headers read as 0", "[container]") {
  StreamHeader h = test::small_header();
  h.first_frame = 123456;
  std::vector<uint8_t> rec;
  REQUIRE(serialize_header(h, &rec).ok());
  CHECK(load_le32(rec.data() + 68) == 123456);
  StreamHeader back;
  REQUIRE(parse_header(rec.data(), rec.size(), &back).ok());
  CHECK(back == h);

  // A 4.1 writer left bytes 65..71 zero; a 4.1 reader ignores them. Bytes there in a 4.1
  // header are not a first frame.
  store_le16(rec.data() + 10, 1);
  reseal(&rec);
  REQUIRE(parse_header(rec.data(), rec.size(), &back).ok());
  CHECK(back.first_frame == 0);

  h.first_frame = kMaxFrameCount + 1;
  CHECK(serialize_header(h, &rec).code() == StatusCode::kLimitExceeded);
}

TEST_CASE("stream header fields are checked against the limits", "[container]") {
  const StreamHeader good = test::small_header();
  std::vector<StreamHeader> bad(12, good);
  bad[0].width = 0;
  bad[1].height = kMaxDimension + 1;
  bad[2].fps_num = 0;
  bad[3].fps_den = 0;
  bad[4].fps_num = 1001, bad[4].fps_den = 1;  // > 1000 fps
  bad[5].fps_num = 1, bad[5].fps_den = 101;   // < 0.01 fps
  bad[6].gop = 0;
  bad[7].gop = kMaxGop + 1;
  bad[8].frame_count = kMaxFrameCount + 1;
  bad[9].quality = 0;
  bad[10].quality = 101;
  bad[11].pixel_format = PixelFormat(7);
  std::vector<uint8_t> rec;
  for (size_t i = 0; i < bad.size(); ++i) {
    INFO("case " << i);
    CHECK_FALSE(serialize_header(bad[i], &rec).ok());
  }
  // The same values arriving in a correctly checksummed record are rejected by the parser.
  REQUIRE(serialize_header(good, &rec).ok());
  std::vector<uint8_t> r = rec;
  store_le32(&r[16], 16385);
  reseal(&r);
  StreamHeader out;
  CHECK(parse_header(r.data(), r.size(), &out).code() == StatusCode::kLimitExceeded);
  r = rec;
  store_le32(&r[32], 0);
  reseal(&r);
  CHECK(parse_header(r.data(), r.size(), &out).code() == StatusCode::kLimitExceeded);
  // Boundaries themselves are fine.
  StreamHeader edge = good;
  edge.width = edge.height = kMaxDimension;
  edge.fps_num = 1000, edge.fps_den = 1;
  edge.gop = kMaxGop;
  CHECK(serialize_header(edge, &rec).ok());
}

TEST_CASE("stream header versioning: newer minor and older major accepted, newer major refused", "[container]") {
  std::vector<uint8_t> rec;
  REQUIRE(serialize_header(test::small_header(), &rec).ok());
  // Minor 7 with 8 extra bytes of fields we do not know: accepted, extras ignored.
  std::vector<uint8_t> newer(rec.begin(), rec.end() - 8);
  store_le16(&newer[10], 7);
  newer.insert(newer.end(), 8, 0xAB);
  newer.resize(newer.size() + 8);
  store_le32(&newer[12], uint32_t(newer.size()));
  reseal(&newer);
  StreamHeader out;
  REQUIRE(parse_header(newer.data(), newer.size(), &out).ok());
  CHECK(out.version_minor == 7);
  CHECK(out.width == 64);
  // The next major: refused before anything else is read; so is major 0.
  std::vector<uint8_t> major = rec;
  store_le16(&major[8], kVersionMajor + 1);
  reseal(&major);
  CHECK(parse_header(major.data(), major.size(), &out).code() == StatusCode::kUnsupported);
  store_le16(&major[8], 0);
  reseal(&major);
  CHECK(parse_header(major.data(), major.size(), &out).code() == StatusCode::kUnsupported);
  // Major 1 (streams without refinement sub-streams) is still read.
  store_le16(&major[8], 1);
  reseal(&major);
  REQUIRE(parse_header(major.data(), major.size(), &out).ok());
  CHECK(out.version_major == 1);
  // header_size beyond the limit.
  uint8_t first16[16];
  std::copy(rec.begin(), rec.begin() + 16, first16);
  store_le32(first16 + 12, uint32_t(kMaxHeaderSize + 1));
  size_t size = 0;
  CHECK_FALSE(header_record_size(first16, &size).ok());
}

TEST_CASE("packet records round-trip and checksum covers header and payload", "[container]") {
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  std::vector<uint8_t> rec;
  REQUIRE(append_packet_record(uint8_t(PacketType::kInterFrame), 77, payload.data(), payload.size(), &rec).ok());
  REQUIRE(rec.size() == kPacketHeaderSize + payload.size());
  PacketHeader h;
  REQUIRE(parse_packet_header(rec.data(), kMaxPayloadSize, &h).ok());
  CHECK(h.type == uint8_t(PacketType::kInterFrame));
  CHECK(h.display_index == 77);
  CHECK(h.payload_size == payload.size());
  CHECK(packet_checksum_ok(rec.data(), h, rec.data() + kPacketHeaderSize));
  // A different display index with the same checksum fails.
  std::vector<uint8_t> other = rec;
  other[8] ^= 1;
  REQUIRE(parse_packet_header(other.data(), kMaxPayloadSize, &h).ok());
  CHECK_FALSE(packet_checksum_ok(other.data(), h, other.data() + kPacketHeaderSize));
  // Limits and reserved bits.
  CHECK(parse_packet_header(rec.data(), 4, &h).code() == StatusCode::kLimitExceeded);
  other = rec;
  other[1] = 1;
  CHECK_FALSE(parse_packet_header(other.data(), kMaxPayloadSize, &h).ok());
  other = rec;
  other[0] = 9;
  CHECK_FALSE(parse_packet_header(other.data(), kMaxPayloadSize, &h).ok());
  other[0] = 0x90;  // optional record type: parses
  CHECK(parse_packet_header(other.data(), kMaxPayloadSize, &h).ok());
}

TEST_CASE("index payload and footer round-trip with their checks", "[container]") {
  StreamIndex index{10, {{0, 100}, {4, 300}, {8, 700}}};
  std::vector<uint8_t> bytes;
  serialize_index_payload(index, &bytes);
  StreamIndex back;
  REQUIRE(parse_index_payload(bytes.data(), bytes.size(), 800, &back).ok());
  CHECK(back.frame_count == 10);
  CHECK(back.entries == index.entries);
  CHECK_FALSE(parse_index_payload(bytes.data(), bytes.size(), 700, &back).ok());  // offset past index
  CHECK_FALSE(parse_index_payload(bytes.data(), bytes.size() - 1, 800, &back).ok());
  index.entries[2].display_index = 4;  // not increasing
  serialize_index_payload(index, &bytes);
  CHECK_FALSE(parse_index_payload(bytes.data(), bytes.size(), 800, &back).ok());

  uint8_t footer[kFooterSize];
  serialize_footer(12345, footer);
  uint64_t offset = 0;
  REQUIRE(parse_footer(footer, &offset).ok());
  CHECK(offset == 12345);
  footer[15] ^= 1;
  CHECK_FALSE(parse_footer(footer, &offset).ok());
}

TEST_CASE("model hash is XXH3-128 of the model bytes, canonical order", "[container]") {
  const std::vector<uint8_t> model(1000, 7);
  const ModelHash a = compute_model_hash(model.data(), model.size());
  const ModelHash b = compute_model_hash(model.data(), model.size() - 1);
  CHECK(a != b);
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(model.data(), model.size()));
  CHECK(std::memcmp(a.data(), c.digest, 16) == 0);
}
