#include "api/settings.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace vaec::api {
namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

void validate_common_settings(const VaecSettings& s) {
  require(s.model_path && *s.model_path, "settings: model_path is required");
  require(s.threads >= 0 && s.threads <= 256, "settings: threads must be 0..256");
  require(s.cpu >= VAEC_CPU_AUTO && s.cpu <= VAEC_CPU_AVX512, "settings: cpu must be a VaecCpu (0..3)");
  require(s.preset >= VAEC_PRESET_DEFAULT && s.preset <= VAEC_PRESET_VERYSLOW, "settings: preset must be a VaecPreset (0..4)");
  for (uint32_t r : s.reserved) require(r == 0, "settings: reserved fields must be zero (use vaec_default_settings)");
}

int resolved_threads(int threads) {
  return threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
}

void copy_picture(const VaecPicture& p, int width, int height, Frame* out) {
  require(p.format == VAEC_PIX_FMT_YUV420P, "picture: only YUV 4:2:0 8-bit is supported");
  require(p.width == width && p.height == height, "picture: size differs from the encoder settings");
  out->allocate(width, height);
  for (int i = 0; i < 3; ++i) {
    const int w = out->plane_width(i), h = out->plane_height(i);
    require(p.data[i] != nullptr, "picture: missing plane");
    require(p.stride[i] >= w, "picture: stride smaller than the plane width");
    for (int y = 0; y < h; ++y)
      std::memcpy(out->planes[i].data() + size_t(y) * w, p.data[i] + p.stride[i] * y, size_t(w));
  }
}

void describe_frame(const Frame& f, VaecPicture* out) {
  out->width = f.width;
  out->height = f.height;
  out->format = VAEC_PIX_FMT_YUV420P;
  for (int i = 0; i < 3; ++i) {
    out->data[i] = const_cast<uint8_t*>(f.planes[i].data());
    out->stride[i] = f.plane_width(i);
  }
}

}  // namespace vaec::api
