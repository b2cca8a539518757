// Whole streams: writer -> reader round trips, streaming without an index, pipes, seeking.
#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>
#include <unistd.h>

#include "bitstream/dec_container.h"
#include "test_helpers.h"

using namespace vaec;
using namespace vaec::bitstream;
using test::TestFrame;

namespace {

struct ReadResult {
  Status end;
  StreamHeader header;
  std::vector<Packet> packets;
  bool has_index = false;
};

ReadResult read_all(ByteSource* src) {
  ReadResult r;
  ContainerReader reader(src);
  r.end = reader.read_header(&r.header);
  if (!r.end.ok()) return r;
  for (;;) {
    Packet p;
    r.end = reader.read_packet(&p);
    if (!r.end.ok()) break;
    r.packets.push_back(std::move(p));
  }
  r.has_index = reader.has_index();
  return r;
}

void check_same(const std::vector<Packet>& got, const std::vector<TestFrame>& want, size_t count) {
  REQUIRE(got.size() == count);
  for (size_t i = 0; i < count; ++i) {
    CHECK(got[i].type == want[i].type);
    CHECK(got[i].display_index == want[i].display_index);
    CHECK(got[i].payload == want[i].payload);
  }
}

}  // namespace

TEST_CASE("container round-trips header and packets, ending with a valid index", "[container]") {
  const StreamHeader h = test::small_header();
  const auto frames = test::make_frames(10, h.gop, 1);
  const std::vector<uint8_t> bytes = test::write_stream(h, frames);
  REQUIRE(!bytes.empty());
  MemorySource src(bytes.data(), bytes.size());
  const ReadResult r = read_all(&src);
  CHECK(r.end.code() == StatusCode::kEndOfStream);
  CHECK(r.has_index);
  CHECK(r.header == h);
  check_same(r.packets, frames, frames.size());
}

TEST_CASE("a stream without index (unfinished writer) still decodes", "[container]") {
  const StreamHeader h = test::small_header();
  const auto frames = test::make_frames(7, h.gop, 2);
  const std::vector<uint8_t> bytes = test::write_stream(h, frames, /*finish=*/false);
  MemorySource src(bytes.data(), bytes.size());
  const ReadResult r = read_all(&src);
  CHECK(r.end.code() == StatusCode::kEndOfStream);
  CHECK_FALSE(r.has_index);
  check_same(r.packets, frames, frames.size());
  ContainerReader reader(&src);
  StreamHeader hh;
  REQUIRE(src.seek(0).ok());
  REQUIRE(reader.read_header(&hh).ok());
  StreamIndex index;
  CHECK(reader.load_index(&index).code() == StatusCode::kTruncated);
}

TEST_CASE("container writes into and reads from a pipe", "[container]") {
  const StreamHeader h = test::small_header();
  const auto frames = test::make_frames(12, h.gop, 3);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::FILE* wf = fdopen(fds[1], "wb");
  std::FILE* rf = fdopen(fds[0], "rb");
  REQUIRE((wf && rf));
  bool write_ok = false;
  std::thread writer([&] {
    FileSink sink(wf);
    ContainerWriter w(&sink);
    write_ok = w.write_header(h).ok();
    for (const TestFrame& f : frames)
      write_ok = write_ok && w.write_frame(f.type, f.display_index, f.payload.data(), f.payload.size()).ok();
    write_ok = write_ok && w.finish().ok();
    std::fclose(wf);
  });
  FileSource src(rf);
  CHECK_FALSE(src.seekable());
  const ReadResult r = read_all(&src);
  writer.join();
  std::fclose(rf);
  CHECK(write_ok);
  CHECK(r.end.code() == StatusCode::kEndOfStream);
  CHECK(r.has_index);
  check_same(r.packets, frames, frames.size());
}

TEST_CASE("seekable files: load the index from the footer and seek to an I frame", "[container]") {
  StreamHeader h = test::small_header();
  h.frame_count = 11;
  const auto frames = test::make_frames(11, h.gop, 4);
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    FileSink sink(f);
    ContainerWriter w(&sink);
    REQUIRE(w.write_header(h).ok());
    for (const TestFrame& fr : frames)
      REQUIRE(w.write_frame(fr.type, fr.display_index, fr.payload.data(), fr.payload.size()).ok());
    REQUIRE(w.finish().ok());
  }
  std::rewind(f);
  FileSource src(f);
  REQUIRE(src.seekable());
  ContainerReader reader(&src);
  StreamHeader hh;
  REQUIRE(reader.read_header(&hh).ok());
  StreamIndex index;
  REQUIRE(reader.load_index(&index).ok());
  CHECK(index.frame_count == 11);
  REQUIRE(index.entries.size() == 4);  // frames 0, 3, 6, 9
  CHECK(index.entries[2].display_index == 6);
  // Reading continues where it was before load_index.
  Packet p;
  REQUIRE(reader.read_packet(&p).ok());
  CHECK(p.display_index == 0);
  // Seek to frame 6 and read to the end.
  REQUIRE(reader.seek_to(index.entries[2]).ok());
  std::vector<uint64_t> seen;
  Status st;
  while ((st = reader.read_packet(&p)).ok()) {
    seen.push_back(p.display_index);
    CHECK(p.payload == frames[p.display_index].payload);
  }
  CHECK(st.code() == StatusCode::kEndOfStream);
  CHECK(seen == std::vector<uint64_t>{6, 7, 8, 9, 10});
  std::fclose(f);
}

TEST_CASE("container writer enforces the stream rules", "[container]") {
  std::vector<uint8_t> bytes;
  VectorSink sink(&bytes);
  ContainerWriter w(&sink);
  const uint8_t x = 0;
  CHECK_FALSE(w.write_frame(PacketType::kIntraFrame, 0, &x, 1).ok());  // header first
  StreamHeader h = test::small_header();
  h.frame_count = 2;
  REQUIRE(w.write_header(h).ok());
  CHECK_FALSE(w.write_header(h).ok());
  CHECK_FALSE(w.write_frame(PacketType::kInterFrame, 0, &x, 1).ok());  // first must be I
  CHECK_FALSE(w.write_frame(PacketType::kIndex, 0, &x, 1).ok());
  CHECK_FALSE(w.write_frame(PacketType::kIntraFrame, 0, nullptr, max_frame_payload(h) + 1).ok());
  REQUIRE(w.write_frame(PacketType::kIntraFrame, 5, &x, 1).ok());
  CHECK_FALSE(w.write_frame(PacketType::kIntraFrame, 5, &x, 1).ok());  // I frames must increase
  CHECK_FALSE(w.finish().ok());                                      // 1 of 2 frames
  REQUIRE(w.write_frame(PacketType::kInterFrame, 6, &x, 1).ok());
  CHECK_FALSE(w.write_frame(PacketType::kInterFrame, 7, &x, 1).ok());  // beyond frame_count
  REQUIRE(w.finish().ok());
  CHECK_FALSE(w.finish().ok());
  CHECK(w.bytes_written() == bytes.size());
  // A failing sink makes the writer fail, and stay failed.
  CallbackSink broken([](const uint8_t*, size_t) { return Status(StatusCode::kIoError, "disk full"); });
  ContainerWriter w2(&broken);
  CHECK(w2.write_header(h).code() == StatusCode::kIoError);
  CHECK_FALSE(w2.write_frame(PacketType::kIntraFrame, 0, &x, 1).ok());
}

TEST_CASE("reader skips optional records and rejects data after the footer", "[container]") {
  const StreamHeader h = test::small_header();
  const auto frames = test::make_frames(4, h.gop, 5);
  std::vector<uint8_t> bytes = test::write_stream(h, frames, /*finish=*/false);
  const uint8_t extra[3] = {9, 9, 9};
  REQUIRE(append_packet_record(0x80, 0, extra, 3, &bytes).ok());  // from a future minor version
  MemorySource src(bytes.data(), bytes.size());
  ReadResult r = read_all(&src);
  CHECK(r.end.code() == StatusCode::kEndOfStream);
  check_same(r.packets, frames, frames.size());

  std::vector<uint8_t> full = test::write_stream(h, frames);
  full.push_back(0);
  MemorySource src2(full.data(), full.size());
  r = read_all(&src2);
  CHECK(r.end.code() == StatusCode::kCorruptData);
}

TEST_CASE("reader copes with large but legal payloads in chunks", "[container]") {
  StreamHeader h = test::small_header();
  std::vector<TestFrame> frames = {{PacketType::kIntraFrame, 0, std::vector<uint8_t>(max_frame_payload(h), 0x5A)}};
  const std::vector<uint8_t> bytes = test::write_stream(h, frames);
  REQUIRE(!bytes.empty());
  MemorySource src(bytes.data(), bytes.size());
  const ReadResult r = read_all(&src);
  CHECK(r.has_index);
  check_same(r.packets, frames, 1);
}
