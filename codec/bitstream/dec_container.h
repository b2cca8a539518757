// Reads a .vae stream record by record. Works on pipes; a stream cut at a record boundary
// (no index) still yields all its frames. Every field is checked against the limits in
// common/limits.h before anything is allocated, and payload buffers grow only as bytes arrive.
//
// Damage costs only the frames it touches: a frame record whose checksum fails is reported
// (with the display index its header names) and reading goes on with the next record; a
// record whose header is unreadable is reported and reading resumes at the next I-frame of
// the index (seekable, indexed files). Only what cannot be resumed from is final: a stream
// cut inside a record, a damaged index or footer, a damaged header in a pipe.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "bitstream/byte_stream.h"
#include "bitstream/container.h"

namespace vaec::bitstream {

struct Packet {
  PacketType type = PacketType::kIntraFrame;
  uint64_t display_index = 0;
  uint64_t offset = 0;  // of its record from the start of the stream
  std::array<uint8_t, kPacketHeaderSize> record_header{};  // the record's first bytes, as read
  std::vector<uint8_t> payload;
};

class ContainerReader {
 public:
  explicit ContainerReader(ByteSource* source) : src_(source) {}

  Status read_header(StreamHeader* out);
  // The next frame. kEndOfStream after the last one: has_index() tells whether the stream
  // ended with its index and footer or was cut at a record boundary. An error loses a record:
  // out->display_index names its frame (kUnknownFrame when its header is unreadable), and
  // unless failed(), the next call goes on after it. failed() errors are sticky.
  Status read_packet(Packet* out);
  bool has_index() const { return has_index_; }
  bool failed() const { return state_ == State::kFailed; }
  // A record was lost on the way: has_index() then means an index and footer that pass their
  // checks, not an index matched against every frame.
  bool lost_records() const { return damaged_; }
  static constexpr uint64_t kUnknownFrame = ~uint64_t(0);

  // Seekable sources, after read_header: reads the index through the footer without reading
  // the packets; the read position is unchanged. kTruncated when the stream has no index.
  Status load_index(StreamIndex* out);
  // Continues reading at an index entry (seekable sources).
  Status seek_to(const IndexEntry& entry);

  const StreamHeader& header() const { return header_; }
  // The stream header record exactly as read (what a decoder is sent first).
  const std::vector<uint8_t>& header_record() const { return header_record_; }

 private:
  Status fail(Status st);
  Status read_exact(uint8_t* data, size_t size, bool* at_end);
  Status read_payload(uint32_t size, std::vector<uint8_t>* out);
  Status finish_with_index(const PacketHeader& h, const std::vector<uint8_t>& payload,
                           uint64_t record_offset);
  Status resume_after_damage(Status damage, uint64_t record_offset);

  enum class State { kNeedHeader, kPackets, kEnded, kFailed };
  ByteSource* src_;
  State state_ = State::kNeedHeader;
  Status error_;
  StreamHeader header_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> header_record_;
  uint32_t frames_ = 0;
  bool seeked_ = false;  // after seek_to the frames seen are not the whole stream
  bool has_index_ = false;
  bool damaged_ = false;  // a record was lost: the index cannot match what was read
  std::vector<IndexEntry> intra_;
};

}  // namespace vaec::bitstream
