#include "api/decoder.h"

#include "api/model_directory.h"
#include "api/settings.h"
#include "api/status_map.h"

namespace vaec::api {

Decoder::Decoder(const VaecSettings& s) : threads_(resolved_threads(s.threads)), cpu_(s.cpu) {
  validate_common_settings(s);
  if (is_model_directory(s.model_path)) {
    model_dir_ = s.model_path;  // the stream header says which model
    return;
  }
  model_ = model::load_decoding_model(s.model_path);
  model_.model.set_cpu_level(CpuLevel(s.cpu));
}

int Decoder::load_stream_model() {
  const std::vector<ModelEntry> models = list_models(model_dir_);
  for (const ModelEntry& m : models) {
    if (m.hash != header_.model_hash) continue;
    model_ = model::load_decoding_model(m.path);
    model_.model.set_cpu_level(CpuLevel(cpu_));
    return VAEC_OK;
  }
  std::string have;
  for (const ModelEntry& m : models) have += (have.empty() ? "" : ", ") + m.path + " is " + hash_hex(m.hash);
  return fail(VAEC_EMODEL, "the stream was made with model " + hash_hex(header_.model_hash) +
                               ", which is none of the models in " + model_dir_ + " (" +
                               (have.empty() ? "it has none" : have) + "): name its file with --model");
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
  if (!model_dir_.empty()) {
    const int status = load_stream_model();
    if (status != VAEC_OK) return status;
  }
  if (header_.model_hash != model_.hash)
    return fail(VAEC_EMODEL, "the stream was made with model " + hash_hex(header_.model_hash) + " but " +
                                 model_.path + " is model " + hash_hex(model_.hash));
  frames_ = std::make_unique<coding::FrameDecoder>(model_.model, int(header_.width), int(header_.height),
                                                   int(header_.version_major), threads_);
  frames_->set_observer(observer_);
  return VAEC_OK;
}

int Decoder::send_packet(const uint8_t* data, size_t size) {
  if (flushing_) return fail(VAEC_EINVAL, "packet sent after flush");
  if (!data || size == 0) return fail(VAEC_EINVAL, "empty packet");
  if (!frames_) return take_header(data, size);
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
  DecodedFrame out;
  out.pts = int64_t(ph.display_index);
  coding::FrameType type;
  if (ph.type == uint8_t(bitstream::PacketType::kIntraFrame)) {
    type = coding::FrameType::kIntra;
    out.type = VAEC_FRAME_I;
  } else if (ph.type == uint8_t(bitstream::PacketType::kInterFrame)) {
    type = coding::FrameType::kInter;
    out.type = VAEC_FRAME_P;
  } else {
    return VAEC_OK;  // the index and optional records carry no picture
  }
  // A P-frame predicts from the frame just before it: if that never arrived (lost in the file or
  // in transport), the reference is not this frame's. (With no reference at all, the frame
  // decoder refuses it.)
  if (type == coding::FrameType::kInter && last_pts_ >= 0 && out.pts != last_pts_ + 1)
    return lose_frame(VAEC_EINVALIDDATA,
                      frame_name + ": the frame it predicts from was lost (decoding resumes at the next I-frame)");
  st = frames_->decode(type, payload, ph.payload_size, &out.frame);
  if (!st.ok()) return lose_frame(to_vaec_status(st), frame_name + ": " + st.message());
  last_pts_ = out.pts;
  queue_.push_back(std::move(out));
  return VAEC_OK;
}

int Decoder::lose_frame(int status, std::string detail) {
  if (frames_) frames_->lose_reference();
  last_pts_ = -2;
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
