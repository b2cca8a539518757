// What the C API's files share (vaec_api.cpp, vaec_api_encoder.cpp or
// vaec_api_no_encoder.cpp): the context behind VaecContext*, and the one place where C++
// exceptions become status codes.
#pragma once

#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "api/decoder.h"
#include "common/allocator.h"
#include "model/raw_tensor_file.h"  // ModelFileError
#include "vaec/vaec.h"

namespace vaec::api {
class Encoder;  // api/encoder.h: only in builds with LibTorch
}

struct VaecContext {
  std::shared_ptr<vaec::api::Encoder> encoder;  // shared_ptr: destroyed where Encoder is incomplete
  std::unique_ptr<vaec::api::Decoder> decoder;
  std::string error;  // details of the last failure
};

namespace vaec::api {

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
extern thread_local std::string open_error;

template <typename Make>
int open_context(VaecContext** out, const VaecSettings* settings, Make&& make) {
  if (!out || !settings) return VAEC_EINVAL;
  *out = nullptr;
  auto ctx = std::unique_ptr<VaecContext>(new (std::nothrow) VaecContext);
  if (!ctx) return VAEC_ENOMEM;
  keep_large_buffers_once();
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

}  // namespace vaec::api
