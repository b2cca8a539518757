#include "io/md5.h"

#include <array>
#include <new>

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/md5.h>
}

#include "common/hash.h"

namespace vaec::io {

void PictureMd5::Free::operator()(AVMD5* ctx) const { av_free(ctx); }

PictureMd5::PictureMd5() : ctx_(av_md5_alloc()) {
  if (!ctx_) throw std::bad_alloc();
  av_md5_init(ctx_.get());
}

PictureMd5::~PictureMd5() = default;

void PictureMd5::add(const Frame& frame) {
  for (const auto& plane : frame.planes) av_md5_update(ctx_.get(), plane.data(), plane.size());
}

std::string PictureMd5::hex() {
  std::array<uint8_t, 16> digest;
  av_md5_final(ctx_.get(), digest.data());
  return hash_hex(digest);
}

}  // namespace vaec::io
