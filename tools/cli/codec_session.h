// RAII wrappers over the C API (vaec.h) for the CLI, which uses exactly the path the FFmpeg
// plugin does. Failures become CommandError with the library's explanation.
#pragma once

#include <functional>
#include <string>

#include "common/frame.h"
#include "vaec/vaec.h"

namespace vaec::cli {

struct ContextCloser {
  void operator()(VaecContext* c) const { vaec_close(&c); }
};

// Encoder settings for width x height frames at `rate`; `model_path` must outlive the result.
VaecSettings encoder_settings(const std::string& model_path, int quality, int gop, int threads, int width,
                              int height, Rational rate);

// The instruction-set cap (a VaecCpu) every session of this process opens with (`vaec --cpu`).
void set_session_cpu(int cpu);
int session_cpu();

// A packed copy of a decoded picture.
Frame frame_from_picture(const VaecPicture& picture);

// Throws CommandError("WHAT: status text (detail)") unless status is VAEC_OK.
void check_status(int status, const std::string& what, const VaecContext* ctx);

class EncoderSession {
 public:
  explicit EncoderSession(const VaecSettings& settings);  // throws CommandError
  ~EncoderSession();
  // Sends a frame (nullptr flushes) and hands every packet that is ready to `on_packet`.
  void encode(const Frame* frame, const std::function<void(const VaecPacket&)>& on_packet);

 private:
  void drain(const std::function<void(const VaecPacket&)>& on_packet, bool until_eof);
  VaecContext* ctx_ = nullptr;
  int64_t pts_ = 0;
};

class DecoderSession {
 public:
  explicit DecoderSession(const VaecSettings& settings);  // throws CommandError
  ~DecoderSession();
  // Sends one record; returns the library's status (errors are the caller's to report).
  int send(const uint8_t* data, size_t size);
  // Hands every decoded frame that is ready to `on_frame`.
  void drain(const std::function<void(const VaecPicture&)>& on_frame);
  std::string last_error() const { return vaec_error_detail(ctx_); }

 private:
  VaecContext* ctx_ = nullptr;
};

}  // namespace vaec::cli
