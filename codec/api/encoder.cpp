#include "api/encoder.h"

#include <stdexcept>
#include <string>

#include <ATen/Parallel.h>

#include "api/model_directory.h"
#include "api/settings.h"
#include "bitstream/container.h"
#include "coding/enc_preset.h"
#include "coding/intra_payload.h"
#include "coding/motion_payload.h"
#include "common/limits.h"

namespace vaec::api {
namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

// Runs a context's call with the context's own thread setting. LibTorch keeps its thread count
// per process (per calling thread with OpenMP), so every encoder call that computes sets it
// again on entry: two contexts with different settings never run with each other's. The count
// stays set in the calling thread afterwards (vaec.h says so).
void use_threads(int threads) {
  const int wanted = resolved_threads(threads);
  if (at::get_num_threads() != wanted) at::set_num_threads(wanted);
}
}  // namespace

Encoder::Encoder(const VaecSettings& s) : settings_(s) {
  validate_common_settings(s);
  require(s.quality >= 1 && s.quality <= 100, "settings: quality must be 1..100");
  require(s.gop >= 1 && uint32_t(s.gop) <= kMaxGop, "settings: gop must be 1..65535");
  require(s.width >= 1 && s.height >= 1 && uint32_t(s.width) <= kMaxDimension && uint32_t(s.height) <= kMaxDimension,
          "settings: width and height must be 1..16384");
  require(s.fps_num > 0 && s.fps_den > 0 && uint32_t(s.fps_num) <= kMaxRateTerm && uint32_t(s.fps_den) <= kMaxRateTerm,
          "settings: frame rate must be a positive rational with terms up to 1000000");
  require(s.frame_count >= 0, "settings: frame_count must be >= 0");
  require(s.first_frame >= 0, "settings: first_frame must be >= 0");
  require(s.max_bitstream_major == 0 || s.max_bitstream_major == bitstream::kCompatibleMajor ||
              s.max_bitstream_major == bitstream::kVersionMajor,
          "settings: max_bitstream_major must be 0, 4 or 5");
  require(s.bitrate_kbps >= 0 && uint32_t(s.bitrate_kbps) <= kMaxBitrateKbps, "settings: bitrate_kbps must be 0..1000000");
  settings_.model_path = nullptr;  // not owned: never used after open
  // A directory of models: the preset's.
  model_ = model::load_model(is_model_directory(s.model_path) ? preset_model(s.model_path, s.preset) : s.model_path);
  model_.model.set_cpu_level(CpuLevel(s.cpu));

  bitstream::StreamHeader h;
  h.width = uint32_t(s.width);
  h.height = uint32_t(s.height);
  h.fps_num = uint32_t(s.fps_num);
  h.fps_den = uint32_t(s.fps_den);
  h.gop = uint32_t(s.gop);
  h.frame_count = uint32_t(s.frame_count);
  h.quality = uint8_t(s.quality);
  h.encoder_version = (VAEC_API_VERSION_MAJOR << 16) | (VAEC_API_VERSION_MINOR << 8);
  h.model_hash = model_.hash;
  h.preset = uint8_t(s.preset == VAEC_PRESET_DEFAULT ? VAEC_PRESET_MEDIUM : s.preset);
  h.first_frame = uint32_t(s.first_frame);
  coding::EncoderOptions options;
  coding::apply_preset(coding::Preset(h.preset), &options);
  if (s.max_bitstream_major == bitstream::kCompatibleMajor) options.synthesis_update_weight = 0;
  if (options.synthesis_update_weight > 0) h.version_major = bitstream::kSynthesisUpdateMajor;
  OutputPacket header;
  Status st = bitstream::serialize_header(h, &header.record);
  if (!st.ok()) throw std::invalid_argument(std::string("settings: ") + st.message());

  options.quality = s.quality;
  options.gop = s.gop;
  options.bitrate_kbps = s.bitrate_kbps;
  options.fps = double(s.fps_num) / s.fps_den;
  frames_ = std::make_unique<coding::FrameEncoder>(model_.model, options);
  // The header and the closing index record and footer count against a bitrate budget too.
  frames_->add_stream_overhead(int64_t(header.record.size() + bitstream::kPacketHeaderSize + bitstream::kFooterSize));
  queue_.push_back(std::move(header));
}

int Encoder::send_frame(const VaecPicture* picture) {
  if (flushing_) return picture ? VAEC_EINVAL : VAEC_OK;
  if (!picture) {
    flushing_ = true;
    return VAEC_OK;
  }
  if (queue_.size() >= kMaxQueued) return VAEC_EAGAIN;
  if (settings_.frame_count > 0 && frames_sent_ >= settings_.frame_count)
    throw std::invalid_argument("more frames than settings.frame_count");
  Frame input;
  copy_picture(*picture, settings_.width, settings_.height, &input);
  use_threads(settings_.threads);
  coding::CodedFrame coded = frames_->encode(std::move(input));

  OutputPacket packet;
  packet.pts = frames_sent_;
  packet.type = coded.type == coding::FrameType::kIntra ? VAEC_FRAME_I : VAEC_FRAME_P;
  packet.quality = coding::payload_quality(coded.payload.data(), coded.payload.size());
  if (coded.type == coding::FrameType::kIntra) packet.synthesis_update_bytes = int(coding::synthesis_update_size(coded.payload));
  const auto packet_type =
      coded.type == coding::FrameType::kIntra ? bitstream::PacketType::kIntraFrame : bitstream::PacketType::kInterFrame;
  Status st = bitstream::append_packet_record(uint8_t(packet_type), uint64_t(frames_sent_), coded.payload.data(),
                                              coded.payload.size(), &packet.record);
  if (!st.ok()) throw std::runtime_error(std::string("packet: ") + st.message());
  queue_.push_back(std::move(packet));
  ++frames_sent_;
  return VAEC_OK;
}

int Encoder::receive_packet(OutputPacket* out) {
  if (queue_.empty()) return flushing_ ? VAEC_EOF : VAEC_EAGAIN;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return VAEC_OK;
}

}  // namespace vaec::api
