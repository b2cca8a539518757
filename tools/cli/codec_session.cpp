#include "cli/codec_session.h"

#include "cli/commands.h"

#include <algorithm>

namespace vaec::cli {
namespace {
// A VaecPicture that points at a Frame's planes (the Frame keeps ownership).
VaecPicture picture_of(const Frame& f, int64_t pts) {
  VaecPicture pic{};
  pic.width = f.width;
  pic.height = f.height;
  pic.format = VAEC_PIX_FMT_YUV420P;
  for (int i = 0; i < 3; ++i) {
    pic.data[i] = const_cast<uint8_t*>(f.planes[i].data());
    pic.stride[i] = f.plane_width(i);
  }
  pic.pts = pts;
  return pic;
}
}  // namespace

VaecSettings encoder_settings(const std::string& model_path, int quality, int gop, int threads, int width,
                              int height, Rational rate) {
  VaecSettings s;
  vaec_default_settings(&s);
  s.model_path = model_path.c_str();
  s.quality = quality;
  s.gop = gop;
  s.threads = threads;
  s.width = width;
  s.height = height;
  s.fps_num = int(rate.num);
  s.fps_den = int(rate.den);
  return s;
}

Frame frame_from_picture(const VaecPicture& pic) {
  Frame f;
  f.allocate(pic.width, pic.height);
  for (int p = 0; p < 3; ++p)
    for (int y = 0; y < f.plane_height(p); ++y)
      std::copy_n(pic.data[p] + pic.stride[p] * y, f.plane_width(p), f.planes[p].data() + size_t(y) * f.plane_width(p));
  return f;
}

void check_status(int status, const std::string& what, const VaecContext* ctx) {
  if (status == VAEC_OK) return;
  std::string detail = vaec_error_detail(ctx);
  throw CommandError(what + ": " + vaec_status_str(status) + (detail.empty() ? "" : " (" + detail + ")"));
}

namespace {
int g_session_cpu = VAEC_CPU_AUTO;

VaecSettings with_session_cpu(VaecSettings s) {
  if (s.cpu == VAEC_CPU_AUTO) s.cpu = g_session_cpu;
  return s;
}
}  // namespace

void set_session_cpu(int cpu) { g_session_cpu = cpu; }
int session_cpu() { return g_session_cpu; }

EncoderSession::EncoderSession(const VaecSettings& settings) {
  const VaecSettings s = with_session_cpu(settings);
  check_status(vaec_encoder_open(&ctx_, &s), "cannot start the encoder", nullptr);
}

EncoderSession::~EncoderSession() { vaec_close(&ctx_); }

void EncoderSession::encode(const Frame* frame, const std::function<void(const VaecPacket&)>& on_packet) {
  VaecPicture pic{};
  if (frame) pic = picture_of(*frame, pts_++);
  for (;;) {
    int status = vaec_send_frame(ctx_, frame ? &pic : nullptr);
    if (status == VAEC_EAGAIN) {
      drain(on_packet, false);
      continue;
    }
    check_status(status, "encoding failed", ctx_);
    break;
  }
  drain(on_packet, frame == nullptr);
}

void EncoderSession::drain(const std::function<void(const VaecPacket&)>& on_packet, bool until_eof) {
  VaecPacket packet{};
  for (;;) {
    int status = vaec_receive_packet(ctx_, &packet);
    if (status == VAEC_EAGAIN && !until_eof) return;
    if (status == VAEC_EOF) return;
    check_status(status, "encoding failed", ctx_);
    try {
      on_packet(packet);
    } catch (...) {
      vaec_packet_unref(&packet);
      throw;
    }
    vaec_packet_unref(&packet);
  }
}

DecoderSession::DecoderSession(const VaecSettings& settings) {
  const VaecSettings s = with_session_cpu(settings);
  check_status(vaec_decoder_open(&ctx_, &s), "cannot start the decoder", nullptr);
}

DecoderSession::~DecoderSession() { vaec_close(&ctx_); }

int DecoderSession::send(const uint8_t* data, size_t size) {
  VaecPacket packet{};
  packet.data = data;
  packet.size = size;
  int status = vaec_send_packet(ctx_, data ? &packet : nullptr);
  // Callers drain after every send, so the decoder's queue never fills.
  if (status == VAEC_EAGAIN) throw CommandError("decoder: internal queue full");
  return status;
}

void DecoderSession::drain(const std::function<void(const VaecPicture&)>& on_frame) {
  VaecPicture pic{};
  for (;;) {
    int status = vaec_get_frame(ctx_, &pic);
    if (status == VAEC_EAGAIN || status == VAEC_EOF) return;
    check_status(status, "decoding failed", ctx_);
    try {
      on_frame(pic);
    } catch (...) {
      vaec_picture_unref(&pic);
      throw;
    }
    vaec_picture_unref(&pic);
  }
}

}  // namespace vaec::cli
