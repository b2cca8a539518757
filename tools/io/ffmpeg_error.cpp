#include "io/ffmpeg_error.h"

extern "C" {
#include <libavutil/error.h>
}

namespace vaec::io {

std::string ffmpeg_message(const std::string& path, const std::string& what, int errnum) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(errnum, text, sizeof text);
  return path + ": " + what + " (" + text + ")";
}

}  // namespace vaec::io

extern "C" {
#include <libavutil/log.h>
}
#include <cstdlib>

namespace vaec::io {
void quiet_ffmpeg_logs() {
  const char* env = std::getenv("VAEC_FFMPEG_LOG");
  av_log_set_level(env && *env == '1' ? AV_LOG_INFO : AV_LOG_QUIET);
}
}  // namespace vaec::io
