// The public C API (vaec.h): the only place where C++ exceptions become status codes.
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "api/decoder.h"
#include "api/encoder.h"
#include "api/settings.h"
#include "common/allocator.h"
#include "model/tensor_file.h"  // ModelFileError
#include "vaec/vaec.h"

struct VaecContext {
  std::unique_ptr<vaec::api::Encoder> encoder;
  std::unique_ptr<vaec::api::Decoder> decoder;
  std::string error;  // details of the last failure
};

namespace {

// Runs `body`, turning every exception into a status and remembering its message.
template <typename F>
int guarded(VaecContext* ctx, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (ctx) ctx->error = "out of memory";
    return VAEC_ENOMEM;
  } catch (const vaec::model::ModelFileError& e) {
    if (ctx) ctx->error = e.what();
    return VAEC_EMODEL;
  } catch (const std::invalid_argument& e) {
    if (ctx) ctx->error = e.what();
    return VAEC_EINVAL;
  } catch (const std::exception& e) {
    if (ctx) ctx->error = e.what();
    return VAEC_EINTERNAL;
  } catch (...) {
    if (ctx) ctx->error = "unknown error";
    return VAEC_EINTERNAL;
  }
}

// Opening failures have no context to hold their message: keep it per thread for the caller.
thread_local std::string open_error;

template <typename Make>
int open_context(VaecContext** out, const VaecSettings* settings, Make&& make) {
  if (!out || !settings) return VAEC_EINVAL;
  *out = nullptr;
  auto ctx = std::unique_ptr<VaecContext>(new (std::nothrow) VaecContext);
  if (!ctx) return VAEC_ENOMEM;
  vaec::keep_large_buffers_once();
  int status = guarded(ctx.get(), [&] {
    make(*ctx, *settings);
    return VAEC_OK;
  });
  if (status != VAEC_OK) {
    open_error = ctx->error;
    return status;
  }
  *out = ctx.release();
  return VAEC_OK;
}

}  // namespace

extern "C" {

void vaec_default_settings(VaecSettings* s) {
  if (!s) return;
  std::memset(s, 0, sizeof *s);
  s->quality = 50;
  s->gop = 32;
  s->fps_num = 25;
  s->fps_den = 1;
}

int vaec_encoder_open(VaecContext** ctx, const VaecSettings* settings) {
  return open_context(ctx, settings, [](VaecContext& c, const VaecSettings& s) {
    c.encoder = std::make_unique<vaec::api::Encoder>(s);
  });
}

int vaec_decoder_open(VaecContext** ctx, const VaecSettings* settings) {
  return open_context(ctx, settings, [](VaecContext& c, const VaecSettings& s) {
    c.decoder = std::make_unique<vaec::api::Decoder>(s);
  });
}

int vaec_send_frame(VaecContext* ctx, const VaecPicture* picture) {
  if (!ctx || !ctx->encoder) return VAEC_EINVAL;
  return guarded(ctx, [&]() -> int { return ctx->encoder->send_frame(picture); });
}

int vaec_receive_packet(VaecContext* ctx, VaecPacket* packet) {
  if (!ctx || !ctx->encoder || !packet) return VAEC_EINVAL;
  return guarded(ctx, [&]() -> int {
    auto out = std::make_unique<vaec::api::OutputPacket>();
    int status = ctx->encoder->receive_packet(out.get());
    if (status != VAEC_OK) return status;
    std::memset(packet, 0, sizeof *packet);
    packet->data = out->record.data();
    packet->size = out->record.size();
    packet->pts = out->pts;
    packet->frame_type = out->type;
    packet->quality = out->quality;
    packet->priv = out.release();
    return VAEC_OK;
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
  if (!ctx) return open_error.c_str();
  return ctx->error.c_str();
}

}  // extern "C"
