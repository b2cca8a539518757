#include "bitstream/enc_container.h"

namespace vaec::bitstream {
namespace {
const Status kBadSequence(StatusCode::kInvalidArgument, "container writer: call out of sequence");
}

Status ContainerWriter::emit(const uint8_t* data, size_t size) {
  const Status st = sink_->write(data, size);
  if (!st.ok()) {
    state_ = State::kFailed;  // the output is now incomplete: refuse further writes
    return st;
  }
  offset_ += size;
  return OkStatus();
}

Status ContainerWriter::write_header(const StreamHeader& header) {
  if (state_ != State::kNeedHeader) return kBadSequence;
  VAEC_RETURN_IF_ERROR(serialize_header(header, &scratch_));
  header_ = header;
  VAEC_RETURN_IF_ERROR(emit(scratch_.data(), scratch_.size()));
  state_ = State::kFrames;
  return OkStatus();
}

Status ContainerWriter::check_frame(uint8_t type, uint64_t display_index) {
  if (state_ != State::kFrames) return kBadSequence;
  if (type != uint8_t(PacketType::kIntraFrame) && type != uint8_t(PacketType::kInterFrame))
    return Status(StatusCode::kInvalidArgument, "container writer: not a frame packet");
  if (frames_ == 0 && type != uint8_t(PacketType::kIntraFrame))
    return Status(StatusCode::kInvalidArgument, "container writer: first frame must be intra");
  if (header_.frame_count != 0 && frames_ >= header_.frame_count)
    return Status(StatusCode::kInvalidArgument, "container writer: more frames than declared");
  if (frames_ >= kMaxFrameCount)
    return Status(StatusCode::kLimitExceeded, "container writer: too many frames");
  if (type == uint8_t(PacketType::kIntraFrame) && !intra_.empty() &&
      display_index <= intra_.back().display_index)
    return Status(StatusCode::kInvalidArgument, "container writer: I frames out of order");
  return OkStatus();
}

Status ContainerWriter::write_frame(PacketType type, uint64_t display_index,
                                    const uint8_t* payload, size_t size) {
  VAEC_RETURN_IF_ERROR(check_frame(uint8_t(type), display_index));
  if (size > max_frame_payload(header_))
    return Status(StatusCode::kLimitExceeded, "container writer: frame payload too large");
  scratch_.clear();
  VAEC_RETURN_IF_ERROR(append_packet_record(uint8_t(type), display_index, payload, size, &scratch_));
  return write_packet_record(scratch_.data(), scratch_.size());
}

Status ContainerWriter::write_packet_record(const uint8_t* record, size_t size) {
  if (record == nullptr || size < kPacketHeaderSize)
    return Status(StatusCode::kInvalidArgument, "container writer: short packet record");
  PacketHeader h;
  VAEC_RETURN_IF_ERROR(parse_packet_header(record, max_frame_payload(header_), &h));
  if (size != kPacketHeaderSize + h.payload_size || !packet_checksum_ok(record, h, record + kPacketHeaderSize))
    return Status(StatusCode::kInvalidArgument, "container writer: malformed packet record");
  VAEC_RETURN_IF_ERROR(check_frame(h.type, h.display_index));
  const IndexEntry entry{h.display_index, offset_};
  VAEC_RETURN_IF_ERROR(emit(record, size));
  if (h.type == uint8_t(PacketType::kIntraFrame)) intra_.push_back(entry);
  ++frames_;
  return OkStatus();
}

Status ContainerWriter::finish() {
  if (state_ != State::kFrames) return kBadSequence;
  if (header_.frame_count != 0 && frames_ != header_.frame_count)
    return Status(StatusCode::kInvalidArgument, "container writer: fewer frames than declared");
  StreamIndex index{frames_, intra_};
  std::vector<uint8_t> payload;
  serialize_index_payload(index, &payload);
  const uint64_t index_offset = offset_;
  scratch_.clear();
  VAEC_RETURN_IF_ERROR(append_packet_record(uint8_t(PacketType::kIndex), 0, payload.data(),
                                            payload.size(), &scratch_));
  scratch_.resize(scratch_.size() + kFooterSize);
  serialize_footer(index_offset, scratch_.data() + scratch_.size() - kFooterSize);
  VAEC_RETURN_IF_ERROR(emit(scratch_.data(), scratch_.size()));
  state_ = State::kFinished;
  return OkStatus();
}

}  // namespace vaec::bitstream
