// The public C API (vaec.h): settings, decoding, packets and pictures (api/context.h turns
// exceptions into status codes; the encoding calls are in vaec_api_encoder.cpp).
#include <cstring>

#include "api/context.h"
#include "api/model_directory.h"
#include "api/output_packet.h"
#include "api/settings.h"

using vaec::api::guarded;
using vaec::api::open_context;

namespace vaec::api {
thread_local std::string open_error;
}  // namespace vaec::api

extern "C" {

void vaec_default_settings(VaecSettings* s) {
  if (!s) return;
  std::memset(s, 0, sizeof *s);
  s->quality = 50;
  s->gop = 32;
  s->fps_num = 25;
  s->fps_den = 1;
}

const char* vaec_preset_name(int preset) {
  switch (preset) {
    case VAEC_PRESET_FAST: return "fast";
    case VAEC_PRESET_DEFAULT:
    case VAEC_PRESET_MEDIUM: return "medium";
    case VAEC_PRESET_SLOW: return "slow";
    case VAEC_PRESET_VERYSLOW: return "veryslow";
    default: return nullptr;
  }
}

int vaec_find_model(const char* dir, const uint8_t hash[16], char* path, size_t size) {
  if (!dir || !hash || !path) return VAEC_EINVAL;
  try {
    for (const vaec::api::ModelEntry& m : vaec::api::list_models(dir)) {
      if (std::memcmp(m.hash.data(), hash, m.hash.size()) != 0) continue;
      if (m.path.size() >= size) return VAEC_EINVAL;
      std::memcpy(path, m.path.c_str(), m.path.size() + 1);
      return VAEC_OK;
    }
    return VAEC_EMODEL;
  } catch (const std::bad_alloc&) {
    return VAEC_ENOMEM;
  }
}

int vaec_decoder_open(VaecContext** ctx, const VaecSettings* settings) {
  return open_context(ctx, settings, [](VaecContext& c, const VaecSettings& s) {
    c.decoder = std::make_unique<vaec::api::Decoder>(s);
  });
}

void vaec_packet_unref(VaecPacket* packet) {
  if (!packet) return;
  delete static_cast<vaec::api::OutputPacket*>(packet->priv);
  std::memset(packet, 0, sizeof *packet);
}

int vaec_send_packet(VaecContext* ctx, const VaecPacket* packet) {
  if (!ctx || !ctx->decoder) return VAEC_EINVAL;
  return guarded(ctx, [&]() -> int {
    int status = packet ? ctx->decoder->send_packet(packet->data, packet->size) : ctx->decoder->flush();
    if (status != VAEC_OK && status != VAEC_EAGAIN) ctx->error = ctx->decoder->error_detail();
    return status;
  });
}

int vaec_get_frame(VaecContext* ctx, VaecPicture* picture) {
  if (!ctx || !ctx->decoder || !picture) return VAEC_EINVAL;
  return guarded(ctx, [&]() -> int {
    auto out = std::make_unique<vaec::api::DecodedFrame>();
    int status = ctx->decoder->get_frame(out.get());
    if (status != VAEC_OK) return status;
    std::memset(picture, 0, sizeof *picture);
    vaec::api::describe_frame(out->frame, picture);
    picture->pts = out->pts;
    picture->frame_type = out->type;
    picture->priv = out.release();
    return VAEC_OK;
  });
}

void vaec_picture_unref(VaecPicture* picture) {
  if (!picture) return;
  delete static_cast<vaec::api::DecodedFrame*>(picture->priv);
  std::memset(picture, 0, sizeof *picture);
}

void vaec_close(VaecContext** ctx) {
  if (!ctx) return;
  delete *ctx;
  *ctx = nullptr;
}

const char* vaec_error_detail(const VaecContext* ctx) {
  if (!ctx) return vaec::api::open_error.c_str();
  return ctx->error.c_str();
}

}  // extern "C"
