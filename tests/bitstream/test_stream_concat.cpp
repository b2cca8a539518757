// Joining segments of one video: frames renumbered, index rebuilt, payloads untouched, and every
// part that cannot follow the one before it refused with the reason.
#include <catch2/catch.hpp>

#include "bitstream/dec_container.h"
#include "bitstream/stream_concat.h"
#include "test_helpers.h"

using namespace vaec;
using namespace vaec::bitstream;
using test::TestFrame;

namespace {

// A segment of `count` frames starting at source frame `first`.
std::vector<uint8_t> segment(uint32_t first, int count, uint32_t seed, StreamHeader h = test::small_header()) {
  h.first_frame = first;
  return test::write_stream(h, test::make_frames(count, h.gop, seed));
}

ConcatResult join(const std::vector<std::vector<uint8_t>>& parts, std::vector<uint8_t>* out) {
  std::vector<MemorySource> sources;
  sources.reserve(parts.size());
  for (const auto& p : parts) sources.emplace_back(p.data(), p.size());
  std::vector<ByteSource*> inputs;
  for (auto& s : sources) inputs.push_back(&s);
  out->clear();
  VectorSink sink(out);
  return concat_streams(inputs, &sink);
}

}  // namespace

TEST_CASE("concat renumbers the frames of consecutive segments and rebuilds the index", "[container][concat]") {
  const std::vector<std::vector<uint8_t>> parts = {segment(30, 7, 1), segment(37, 5, 2), segment(42, 3, 3)};
  std::vector<uint8_t> joined;
  const ConcatResult r = join(parts, &joined);
  REQUIRE(r.status.ok());
  CHECK(r.frames == 15);
  CHECK(r.first_frame == 30);

  // Every frame of every part, in order, with its payload unchanged.
  std::vector<TestFrame> want;
  for (auto [seed, count] : {std::pair{1u, 7}, {2u, 5}, {3u, 3}})
    for (TestFrame f : test::make_frames(count, 3, seed)) {
      f.display_index = want.size();
      want.push_back(f);
    }
  MemorySource src(joined.data(), joined.size());
  ContainerReader reader(&src);
  StreamHeader h;
  REQUIRE(reader.read_header(&h).ok());
  CHECK(h.first_frame == 30);
  CHECK(h.width == 64);
  size_t n = 0;
  for (Packet p; reader.read_packet(&p).ok(); ++n) {
    REQUIRE(n < want.size());
    CHECK(p.type == want[n].type);
    CHECK(p.display_index == want[n].display_index);
    CHECK(p.payload == want[n].payload);
  }
  CHECK(n == want.size());
  CHECK(reader.has_index());  // the reader matched the index against every frame it read
  StreamIndex index;
  REQUIRE(reader.load_index(&index).ok());
  CHECK(index.frame_count == 15);
  std::vector<uint64_t> intra;
  for (const auto& e : index.entries) intra.push_back(e.display_index);
  CHECK(intra == std::vector<uint64_t>{0, 3, 6, 7, 10, 12});
}

TEST_CASE("concat refuses parts that are not the next segment of the same video", "[container][concat][errors]") {
  std::vector<uint8_t> out;
  StreamHeader other = test::small_header();

  SECTION("a gap") {
    const ConcatResult r = join({segment(0, 6, 1), segment(7, 3, 2)}, &out);
    CHECK(r.failed_part == 1);
    CHECK_THAT(r.message, Catch::Contains("frame 6 are in no part"));
  }
  SECTION("an overlap") {
    const ConcatResult r = join({segment(0, 6, 1), segment(4, 3, 2)}, &out);
    CHECK(r.failed_part == 1);
    CHECK_THAT(r.message, Catch::Contains("frames 4..5 would be in the output twice"));
  }
  SECTION("parts out of order") {
    const ConcatResult r = join({segment(6, 3, 2), segment(0, 6, 1)}, &out);
    CHECK(r.failed_part == 1);
  }
  SECTION("another size") {
    other.width = 80;
    const ConcatResult r = join({segment(0, 6, 1), segment(6, 3, 2, other)}, &out);
    CHECK(r.failed_part == 1);
    CHECK_THAT(r.message, Catch::Contains("80x48") && Catch::Contains("64x48"));
  }
  SECTION("another model") {
    other.model_hash[0] ^= 1;
    const ConcatResult r = join({segment(0, 6, 1), segment(6, 3, 2, other)}, &out);
    CHECK(r.failed_part == 1);
    CHECK_THAT(r.message, Catch::Contains("model"));
  }
  SECTION("another frame rate, quality or GOP") {
    StreamHeader rate = other, quality = other, gop = other;
    rate.fps_num = 25, rate.fps_den = 1;
    quality.quality = 43;
    gop.gop = 4;
    for (const StreamHeader& h : {rate, quality, gop})
      CHECK(join({segment(0, 6, 1), segment(6, 3, 2, h)}, &out).failed_part == 1);
    rate.fps_num = 60000, rate.fps_den = 2002;  // the same rate, other terms: fine
    CHECK(join({segment(0, 6, 1), segment(6, 3, 2, rate)}, &out).status.ok());
  }
  SECTION("a part cut short (its encode was killed)") {
    StreamHeader h = test::small_header();
    h.first_frame = 6;
    const auto cut = test::write_stream(h, test::make_frames(3, 3, 2), /*finish=*/false);
    const ConcatResult r = join({segment(0, 6, 1), cut}, &out);
    CHECK(r.failed_part == 1);
    CHECK(r.status.code() == StatusCode::kTruncated);
    CHECK_THAT(r.message, Catch::Contains("did not finish"));
  }
  SECTION("a damaged part") {
    auto damaged = segment(6, 3, 2);
    damaged[damaged.size() / 2] ^= 0x10;
    const ConcatResult r = join({segment(0, 6, 1), damaged}, &out);
    CHECK(r.failed_part == 1);
    CHECK_FALSE(r.status.ok());
  }
  SECTION("not a stream") {
    const std::vector<uint8_t> junk(100, 7);
    const ConcatResult r = join({segment(0, 6, 1), junk}, &out);
    CHECK(r.failed_part == 1);
    CHECK_THAT(r.message, Catch::Contains("magic"));
  }
}
