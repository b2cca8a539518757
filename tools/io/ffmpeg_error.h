// Errors raised by the FFmpeg-based I/O, with FFmpeg's own reason text.
#pragma once

#include <stdexcept>
#include <string>

namespace vaec::io {

struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "PATH: WHAT (FFmpeg's text for errnum)".
std::string ffmpeg_message(const std::string& path, const std::string& what, int errnum);

}  // namespace vaec::io

namespace vaec::io {
// FFmpeg's own log lines would break our one-clear-line error reporting; VAEC_FFMPEG_LOG=1
// brings them back for debugging.
void quiet_ffmpeg_logs();
}  // namespace vaec::io
