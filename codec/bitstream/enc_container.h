// Writes a .vae stream: header, frame packets, then the I-frame index and footer. Never
// seeks (byte offsets are counted), so it can write into a pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bitstream/byte_stream.h"
#include "bitstream/container.h"

namespace vaec::bitstream {

class ContainerWriter {
 public:
  explicit ContainerWriter(ByteSink* sink) : sink_(sink) {}

  // First call. The version fields of `header` are ignored (this writer's are used).
  Status write_header(const StreamHeader& header);
  // One frame. The first frame must be an I frame; I frames' display indices must increase;
  // at most header.frame_count frames when that is known.
  Status write_frame(PacketType type, uint64_t display_index, const uint8_t* payload,
                     size_t size);
  // A complete packet record (e.g. from vaec_receive_packet), checked, then written as is.
  Status write_packet_record(const uint8_t* record, size_t size);
  // Writes the index and footer. With a known frame_count, the count must have been reached.
  Status finish();

  uint64_t bytes_written() const { return offset_; }

 private:
  Status check_frame(uint8_t type, uint64_t display_index);
  Status emit(const uint8_t* data, size_t size);

  enum class State { kNeedHeader, kFrames, kFinished, kFailed };
  ByteSink* sink_;
  State state_ = State::kNeedHeader;
  StreamHeader header_;
  uint64_t offset_ = 0;
  uint32_t frames_ = 0;
  std::vector<IndexEntry> intra_;
  std::vector<uint8_t> scratch_;
};

}  // namespace vaec::bitstream
