#include "api/decoder.h"

#include "api/settings.h"
#include "api/inter_payload.h"
#include "api/intra_payload.h"
#include "api/refinement.h"

namespace vaec::api {

int to_vaec_status(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return VAEC_OK;
    case StatusCode::kInvalidArgument: return VAEC_EINVAL;
    case StatusCode::kCorruptData: return VAEC_EINVALIDDATA;
    case StatusCode::kTruncated: return VAEC_ETRUNCATED;
    case StatusCode::kChecksumMismatch: return VAEC_ECHECKSUM;
    case StatusCode::kLimitExceeded: return VAEC_ELIMIT;
    case StatusCode::kUnsupported: return VAEC_EUNSUPPORTED;
    case StatusCode::kEndOfStream: return VAEC_EOF;
    case StatusCode::kIoError: return VAEC_EIO;
  }
  return VAEC_EINTERNAL;
}

Decoder::Decoder(const VaecSettings& s) {
  validate_common_settings(s);
  model_ = load_model(s.model_path);
  apply_thread_setting(s.threads);
}

int Decoder::fail(int status, std::string detail) {
  detail_ = std::move(detail);
  return status;
}

int Decoder::take_header(const uint8_t* data, size_t size) {
  if (size < 16) return fail(VAEC_ETRUNCATED, "stream header: too short");
  size_t record_size = 0;
  Status st = bitstream::header_record_size(data, &record_size);
  if (!st.ok()) return fail(to_vaec_status(st), std::string("stream header: ") + st.message());
  if (record_size != size) return fail(VAEC_EINVALIDDATA, "stream header: record size does not match the packet");
  st = bitstream::parse_header(data, size, &header_);
  if (!st.ok()) return fail(to_vaec_status(st), std::string("stream header: ") + st.message());
  if (header_.model_hash != model_.hash)
    return fail(VAEC_EMODEL, "the stream was made with model " + hash_hex(header_.model_hash) + " but " +
                                 model_.path + " is model " + hash_hex(model_.hash));
  has_header_ = true;
  return VAEC_OK;
}

int Decoder::send_packet(const uint8_t* data, size_t size) {
  if (flushing_) return fail(VAEC_EINVAL, "packet sent after flush");
  if (!data || size == 0) return fail(VAEC_EINVAL, "empty packet");
  if (!has_header_) return take_header(data, size);
  if (queue_.size() >= kMaxQueued) return VAEC_EAGAIN;

  // Any lost frame also loses the reference: P-frames fail until the next I-frame.
  if (size < bitstream::kPacketHeaderSize) return lose_frame(VAEC_ETRUNCATED, "packet shorter than its header");
  bitstream::PacketHeader ph;
  Status st = bitstream::parse_packet_header(data, bitstream::max_frame_payload(header_), &ph);
  if (!st.ok()) return lose_frame(to_vaec_status(st), std::string("packet: ") + st.message());
  if (size != bitstream::kPacketHeaderSize + ph.payload_size)
    return lose_frame(size < bitstream::kPacketHeaderSize + ph.payload_size ? VAEC_ETRUNCATED : VAEC_EINVALIDDATA,
                      "packet: size does not match its payload length");
  const uint8_t* payload = data + bitstream::kPacketHeaderSize;
  const std::string frame_name = "frame " + std::to_string(ph.display_index);
  if (!bitstream::packet_checksum_ok(data, ph, payload)) return lose_frame(VAEC_ECHECKSUM, frame_name + ": checksum mismatch");
  const int width = int(header_.width), height = int(header_.height);
  DecodedFrame out;
  out.pts = int64_t(ph.display_index);
  RefinementBytes refinement;
  RefinementBytes* allow_refinement = header_.version_major >= bitstream::kRefinementMajor ? &refinement : nullptr;
  if (ph.type == uint8_t(bitstream::PacketType::kIntraFrame)) {
    st = decode_intra_payload(model_.model, payload, ph.payload_size, width, height, &reference_, allow_refinement);
    out.type = VAEC_FRAME_I;
  } else if (ph.type == uint8_t(bitstream::PacketType::kInterFrame)) {
    st = decode_inter_payload(payload, ph.payload_size, &reference_, allow_refinement);
    out.type = VAEC_FRAME_P;
  } else {
    return VAEC_OK;  // the index and optional records carry no picture
  }
  if (!st.ok()) return lose_frame(to_vaec_status(st), frame_name + ": " + st.message());
  out.frame = synthesis_.run(model_.model, reference_.y_hat_q10, width, height, reference_.quality);
  if (refinement.present) {
    st = decode_refinement(refinement.data, refinement.size, refinement_context(reference_, out.type == VAEC_FRAME_P),
                           &out.frame, &reference_.refinement_offsets);
    if (!st.ok()) return lose_frame(to_vaec_status(st), frame_name + ": " + st.message());
  } else {
    reference_.refinement_offsets = RefinementOffsets{};
  }
  queue_.push_back(std::move(out));
  return VAEC_OK;
}

int Decoder::lose_frame(int status, std::string detail) {
  reference_.invalidate();
  return fail(status, std::move(detail));
}

int Decoder::flush() {
  flushing_ = true;
  return VAEC_OK;
}

int Decoder::get_frame(DecodedFrame* out) {
  if (queue_.empty()) return flushing_ ? VAEC_EOF : VAEC_EAGAIN;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return VAEC_OK;
}

}  // namespace vaec::api
