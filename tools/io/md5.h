// MD5 of decoded pictures, as dav1d's md5 output prints it: the planes of every frame in
// order, as a .yuv file holds them (libavutil's MD5).
#pragma once

#include <memory>
#include <string>

#include "common/frame.h"

struct AVMD5;

namespace vaec::io {

class PictureMd5 {
 public:
  PictureMd5();
  ~PictureMd5();
  void add(const Frame& frame);
  std::string hex();  // ends the sum

 private:
  struct Free {
    void operator()(AVMD5* ctx) const;
  };
  std::unique_ptr<AVMD5, Free> ctx_;
};

}  // namespace vaec::io
