// The C API's encoding calls (vaec.h), in builds with LibTorch.
#include <cstring>

#include "api/context.h"
#include "api/encoder.h"

using vaec::api::guarded;
using vaec::api::open_context;

extern "C" {

int vaec_encoder_open(VaecContext** ctx, const VaecSettings* settings) {
  return open_context(ctx, settings, [](VaecContext& c, const VaecSettings& s) {
    c.encoder = std::make_shared<vaec::api::Encoder>(s);
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
    packet->synthesis_update_bytes = out->synthesis_update_bytes;
    packet->priv = out.release();
    return VAEC_OK;
  });
}

}  // extern "C"
