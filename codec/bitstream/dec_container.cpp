#include "bitstream/dec_container.h"

#include <algorithm>

namespace vaec::bitstream {
namespace {
const Status kTruncatedRecord(StatusCode::kTruncated, "container: stream ends inside a record");
constexpr size_t kReadChunk = size_t(1) << 20;
}  // namespace

Status ContainerReader::fail(Status st) {
  state_ = State::kFailed;
  error_ = st;
  return st;
}

// Reads exactly `size` bytes. *at_end (optional) reports a clean end before the first byte.
Status ContainerReader::read_exact(uint8_t* data, size_t size, bool* at_end) {
  size_t got = 0;
  VAEC_RETURN_IF_ERROR(src_->read(data, size, &got));
  pos_ += got;
  if (at_end) *at_end = got == 0 && size > 0;
  if (got == size || (at_end && *at_end)) return OkStatus();
  return kTruncatedRecord;
}

Status ContainerReader::read_payload(uint32_t size, std::vector<uint8_t>* out) {
  out->clear();
  while (out->size() < size) {
    const size_t at = out->size();
    out->resize(at + std::min(kReadChunk, size_t(size) - at));
    VAEC_RETURN_IF_ERROR(read_exact(out->data() + at, out->size() - at, nullptr));
  }
  return OkStatus();
}

Status ContainerReader::read_header(StreamHeader* out) {
  if (state_ != State::kNeedHeader)
    return Status(StatusCode::kInvalidArgument, "container: header already read");
  uint8_t first[16];
  Status st = read_exact(first, sizeof first, nullptr);
  if (!st.ok()) return fail(Status(StatusCode::kTruncated, "container: stream ends inside the header"));
  size_t size = 0;
  st = header_record_size(first, &size);
  if (!st.ok()) return fail(st);
  std::vector<uint8_t> record(first, first + 16);
  record.resize(size);
  st = read_exact(record.data() + 16, size - 16, nullptr);
  if (!st.ok()) return fail(Status(StatusCode::kTruncated, "container: stream ends inside the header"));
  st = parse_header(record.data(), record.size(), &header_);
  if (!st.ok()) return fail(st);
  header_record_ = std::move(record);
  state_ = State::kPackets;
  *out = header_;
  return OkStatus();
}

Status ContainerReader::read_packet(Packet* out) {
  if (state_ == State::kFailed) return error_;
  if (state_ == State::kEnded) return Status(StatusCode::kEndOfStream, "container: end of stream");
  if (state_ != State::kPackets) return Status(StatusCode::kInvalidArgument, "container: read the header first");
  for (;;) {
    const uint64_t record_offset = pos_;
    uint8_t raw[kPacketHeaderSize];
    bool at_end = false;
    Status st = read_exact(raw, sizeof raw, &at_end);
    if (!st.ok()) return fail(st);
    if (at_end) {  // cut at a record boundary: every frame so far is intact
      state_ = State::kEnded;
      return Status(StatusCode::kEndOfStream, "container: end of stream (no index)");
    }
    const bool is_index = raw[0] == uint8_t(PacketType::kIndex);
    // Having read the whole stream (nothing skipped) we know how large its index can be.
    const uint64_t index_max = seeked_ || damaged_ ? kMaxPayloadSize : 8 + kIndexEntrySize * intra_.size();
    const uint32_t max_payload = is_index ? uint32_t(std::min<uint64_t>(kMaxPayloadSize, index_max))
                                          : max_frame_payload(header_);
    PacketHeader h;
    out->display_index = kUnknownFrame;
    out->offset = record_offset;
    st = parse_packet_header(raw, max_payload, &h);
    if (!st.ok()) return resume_after_damage(st, record_offset);
    std::vector<uint8_t>& payload = out->payload;
    st = read_payload(h.payload_size, &payload);
    if (!st.ok()) return fail(st);
    if (!packet_checksum_ok(raw, h, payload.data())) {
      if (is_index) return fail(Status(StatusCode::kChecksumMismatch, "container: index checksum mismatch"));
      // The record's length was right (the next one starts where expected): only it is lost.
      damaged_ = true;
      ++frames_;
      out->display_index = h.display_index;
      return Status(StatusCode::kChecksumMismatch, "container: packet checksum mismatch");
    }
    if (is_index) {
      st = finish_with_index(h, payload, record_offset);
      if (!st.ok()) return fail(st);
      state_ = State::kEnded;
      return Status(StatusCode::kEndOfStream, "container: end of stream");
    }
    if (h.type >= kFirstSkippable) continue;  // optional record from a newer minor version

    if (frames_ == 0 && !seeked_ && h.type != uint8_t(PacketType::kIntraFrame))
      return fail(Status(StatusCode::kCorruptData, "container: first frame is not intra"));
    if (header_.frame_count != 0 && !seeked_ && !damaged_ && frames_ >= header_.frame_count)
      return fail(Status(StatusCode::kCorruptData, "container: more frames than the header says"));
    if (h.type == uint8_t(PacketType::kIntraFrame)) {
      if (!intra_.empty() && h.display_index <= intra_.back().display_index)
        return fail(Status(StatusCode::kCorruptData, "container: I frames out of order"));
      intra_.push_back({h.display_index, record_offset});
    }
    ++frames_;
    std::copy(raw, raw + kPacketHeaderSize, out->record_header.begin());
    out->type = PacketType(h.type);
    out->display_index = h.display_index;
    out->offset = record_offset;
    return OkStatus();
  }
}

// The index must describe exactly the frames read, be followed by a footer pointing at it,
// and nothing may follow the footer.
Status ContainerReader::finish_with_index(const PacketHeader& h, const std::vector<uint8_t>& payload,
                                          uint64_t record_offset) {
  (void)h;
  StreamIndex index;
  VAEC_RETURN_IF_ERROR(parse_index_payload(payload.data(), payload.size(), record_offset, &index));
  if (!seeked_ && !damaged_) {
    if (index.frame_count != frames_ || index.entries != intra_)
      return Status(StatusCode::kCorruptData, "container: index does not match the stream");
    if (header_.frame_count != 0 && header_.frame_count != frames_)
      return Status(StatusCode::kCorruptData, "container: frame count differs from the header");
  }
  uint8_t footer[kFooterSize];
  VAEC_RETURN_IF_ERROR(read_exact(footer, sizeof footer, nullptr));
  uint64_t index_offset = 0;
  VAEC_RETURN_IF_ERROR(parse_footer(footer, &index_offset));
  if (index_offset != record_offset)
    return Status(StatusCode::kCorruptData, "container: footer does not point at the index");
  uint8_t extra;
  bool at_end = false;
  const Status st = read_exact(&extra, 1, &at_end);
  if (!st.ok() || !at_end) return Status(StatusCode::kCorruptData, "container: data after the footer");
  has_index_ = true;
  return OkStatus();
}

// A record header was unreadable, so where the next record starts is unknown: continue at the
// first I-frame of the index after it (what follows a lost frame up to there depends on it).
Status ContainerReader::resume_after_damage(Status damage, uint64_t record_offset) {
  StreamIndex index;
  if (!src_->seekable() || !load_index(&index).ok()) return fail(damage);
  damaged_ = true;
  for (const IndexEntry& e : index.entries)
    if (e.offset > record_offset) {
      Status st = src_->seek(e.offset);
      if (!st.ok()) return fail(st);
      pos_ = e.offset;
      while (!intra_.empty() && intra_.back().display_index >= e.display_index) intra_.pop_back();
      return damage;
    }
  // No I-frame after the damage: nothing further can be decoded, and the index is intact.
  state_ = State::kEnded;
  has_index_ = true;
  return damage;
}

Status ContainerReader::load_index(StreamIndex* out) {
  if (state_ == State::kNeedHeader) return Status(StatusCode::kInvalidArgument, "container: read the header first");
  if (!src_->seekable()) return Status(StatusCode::kUnsupported, "container: source is not seekable");
  const uint64_t resume = pos_;
  uint64_t size = 0;
  VAEC_RETURN_IF_ERROR(src_->total_size(&size));
  const Status no_index(StatusCode::kTruncated, "container: stream has no index");
  if (size < header_record_.size() + kPacketHeaderSize + 8 + kFooterSize) return no_index;
  uint8_t footer[kFooterSize];
  size_t got = 0;
  VAEC_RETURN_IF_ERROR(src_->seek(size - kFooterSize));
  VAEC_RETURN_IF_ERROR(src_->read(footer, kFooterSize, &got));
  uint64_t index_offset = 0;
  Status st = got == kFooterSize ? parse_footer(footer, &index_offset) : no_index;
  if (!st.ok() || index_offset < header_record_.size() || index_offset > size - kFooterSize - kPacketHeaderSize - 8) {
    (void)src_->seek(resume);
    return no_index;
  }
  // The index record spans exactly the bytes between its offset and the footer.
  const uint64_t payload_size = size - kFooterSize - kPacketHeaderSize - index_offset;
  uint8_t raw[kPacketHeaderSize];
  PacketHeader h;
  std::vector<uint8_t> payload;
  VAEC_RETURN_IF_ERROR(src_->seek(index_offset));
  VAEC_RETURN_IF_ERROR(src_->read(raw, sizeof raw, &got));
  st = got == sizeof raw ? parse_packet_header(raw, uint32_t(std::min<uint64_t>(payload_size, kMaxPayloadSize)), &h)
                         : kTruncatedRecord;
  if (st.ok() && (h.type != uint8_t(PacketType::kIndex) || h.payload_size != payload_size))
    st = Status(StatusCode::kCorruptData, "container: footer does not point at an index");
  if (st.ok()) {
    payload.resize(h.payload_size);
    VAEC_RETURN_IF_ERROR(src_->read(payload.data(), payload.size(), &got));
    if (got != payload.size()) st = kTruncatedRecord;
    else if (!packet_checksum_ok(raw, h, payload.data()))
      st = Status(StatusCode::kChecksumMismatch, "container: index checksum mismatch");
    else
      st = parse_index_payload(payload.data(), payload.size(), index_offset, out);
  }
  const Status restored = src_->seek(resume);
  VAEC_RETURN_IF_ERROR(st);
  return restored;
}

Status ContainerReader::seek_to(const IndexEntry& entry) {
  if (state_ == State::kNeedHeader || state_ == State::kFailed)
    return Status(StatusCode::kInvalidArgument, "container: cannot seek now");
  if (entry.offset < header_record_.size()) return Status(StatusCode::kInvalidArgument, "container: bad seek offset");
  VAEC_RETURN_IF_ERROR(src_->seek(entry.offset));
  pos_ = entry.offset;
  seeked_ = true;
  intra_.clear();
  frames_ = 0;
  state_ = State::kPackets;
  return OkStatus();
}

}  // namespace vaec::bitstream
