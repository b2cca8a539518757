// The C API's encoding calls in a library built without LibTorch (-DVAEC_TORCH=OFF): it
// decodes only, and says so (vaec.h).
#include "api/context.h"

extern "C" {

int vaec_encoder_open(VaecContext** ctx, const VaecSettings* settings) {
  if (!ctx || !settings) return VAEC_EINVAL;
  *ctx = nullptr;
  vaec::api::open_error =
      "this vaec was built without LibTorch (-DVAEC_TORCH=OFF): it decodes only; encoding needs the full build "
      "(README.md, \"Decoder-only build\")";
  return VAEC_EUNSUPPORTED;
}

// No encoder context exists in this build.
int vaec_send_frame(VaecContext*, const VaecPicture*) { return VAEC_EINVAL; }
int vaec_receive_packet(VaecContext*, VaecPacket*) { return VAEC_EINVAL; }

}  // extern "C"
