// Reads a .vae stream record by record. Works on pipes; a stream cut at a record boundary
// (no index) still yields all its frames. Every field is checked against the limits in
// container.h before anything is allocated, and payload buffers grow only as bytes arrive.
#pragma once

#include <cstdint>
#include <vector>

#include "bitstream/byte_stream.h"
#include "bitstream/container.h"

namespace vaec::bitstream {

struct Packet {
  PacketType type = PacketType::kIntraFrame;
  uint64_t display_index = 0;
  uint64_t offset = 0;  // of its record from the start of the stream
  std::vector<uint8_t> payload;
};

class ContainerReader {
 public:
  explicit ContainerReader(ByteSource* source) : src_(source) {}

  Status read_header(StreamHeader* out);
  // The next frame. kEndOfStream after the last one: has_index() tells whether the stream
  // ended with its index and footer or was cut at a record boundary. Errors are sticky.
  Status read_packet(Packet* out);
  bool has_index() const { return has_index_; }

  // Seekable sources, after read_header: reads the index through the footer without reading
  // the packets; the read position is unchanged. kTruncated when the stream has no index.
  Status load_index(StreamIndex* out);
  // Continues reading at an index entry (seekable sources).
  Status seek_to(const IndexEntry& entry);

  const StreamHeader& header() const { return header_; }

 private:
  Status fail(Status st);
  Status read_exact(uint8_t* data, size_t size, bool* at_end);
  Status read_payload(uint32_t size, std::vector<uint8_t>* out);
  Status finish_with_index(const PacketHeader& h, const std::vector<uint8_t>& payload,
                           uint64_t record_offset);

  enum class State { kNeedHeader, kPackets, kEnded, kFailed };
  ByteSource* src_;
  State state_ = State::kNeedHeader;
  Status error_;
  StreamHeader header_;
  uint64_t pos_ = 0;
  uint64_t header_size_ = 0;
  uint32_t frames_ = 0;
  bool seeked_ = false;  // after seek_to the frames seen are not the whole stream
  bool has_index_ = false;
  std::vector<IndexEntry> intra_;
};

}  // namespace vaec::bitstream
